// Where the file system puts a new layer's inodes matters more to a pull's speed than any
// code in the unpacker. ext4 places a new directory (and then its files) in or near its
// parent's block group. Every layer directory has the same parent, layers/, so every pull
// allocates its inodes in the groups the last `rmi` just freed; on a file system without a
// journal ext4 skips inodes freed in the last 60–360 s, one inode-table lookup each, from
// the start of the group, for every new inode: quadratic. Measured here (bench/registry.sh,
// perf): 56 % of wharfd's samples during a pull in find_inode_bit → recently_deleted.
// ext4's answer is the "top directory" flag (chattr +T, FS_TOPDIR_FL): the Orlov allocator
// then spreads the flagged directory's subdirectories over block groups with free room,
// so each layer starts in a group of its own.

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
