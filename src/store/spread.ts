// Where the file system puts new inodes matters more to a pull's or a container's start
// speed than any code around it. ext4 places a new directory (and then its files) in or
// near its parent's block group. Every layer directory has the same parent, layers/, and
// every container's the same containers/, so each pull or create allocates its inodes in the
// groups the last `rmi` or `rm` just freed; on a file system without a journal ext4 skips
// inodes freed in the last 60–360 s, one inode-table lookup each, from the start of the
// group, for every new inode: quadratic. Measured here: 56 % of wharfd's samples during a
// pull in find_inode_bit → recently_deleted (perf, bench/registry.sh); a container's dozen
// files and dirs took 6.5–8.4 ms to make under a plain parent with containers coming and
// going, 0.6 ms under a flagged one. ext4's answer is the "top directory" flag (chattr +T,
// FS_TOPDIR_FL): the Orlov allocator then spreads the flagged directory's subdirectories
// over block groups with free room, so each starts in a group of its own.

import { execFile } from 'node:child_process';

/**
 * Marks `dir` as the top of directory hierarchies for ext4's Orlov allocator, so its
 * subdirectories spread over block groups. True when set; false where the file system has
 * no such flag (overlayfs, tmpfs, xfs…) or chattr (e2fsprogs) is missing: it is a hint only.
 */
export function markTopDirectory(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('chattr', ['+T', dir], { timeout: 10_000 }, (err) => resolve(!err));
  });
}
