# The `node` image: Debian's nodejs and npm on the debian image that
# contrib/mkimage-debian.sh makes. apt-get reaches the host's mirror through NAT.
# ca/ holds the CAs the host added itself (/usr/local/share/ca-certificates: a company's
# TLS-inspecting proxy, say); ca-certificates' install adds them to the system store, which
# Debian's node uses, so `npm install` trusts what the host trusts. Empty is fine.
FROM debian:bookworm
COPY ca/ /usr/local/share/ca-certificates/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates nodejs npm \
 && rm -rf /var/lib/apt/lists/*
CMD ["node"]
