//! A writer for the `newc` cpio format that the Linux kernel unpacks as an initramfs.
//!
//! Each entry is a 110-byte ASCII header ("070701" and 13 eight-digit hex fields), the
//! NUL-terminated name padded to 4 bytes, then the data padded to 4 bytes; the archive
//! ends with an entry named `TRAILER!!!`. Entries are owned by root. Device nodes can be
//! written without privileges, which is why the tests build the archive themselves.

/// File type bits (as in `st_mode`).
const S_IFDIR: u32 = 0o040_000;
const S_IFREG: u32 = 0o100_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFCHR: u32 = 0o020_000;

/// An in-memory `newc` archive being written.
#[derive(Debug, Default)]
pub struct CpioWriter {
    out: Vec<u8>,
    next_ino: u32,
}

impl CpioWriter {
    /// An empty archive.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a directory (`name` without leading `/`, e.g. `"dev"`).
    pub fn dir(&mut self, name: &str, perm: u32) -> &mut Self {
        self.entry(name, S_IFDIR | perm, 2, (0, 0), &[])
    }

    /// Adds a regular file.
    pub fn file(&mut self, name: &str, perm: u32, data: &[u8]) -> &mut Self {
        self.entry(name, S_IFREG | perm, 1, (0, 0), data)
    }

    /// Adds a symbolic link to `target`.
    pub fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.entry(name, S_IFLNK | 0o777, 1, (0, 0), target.as_bytes())
    }

    /// Adds a character device node.
    pub fn char_device(&mut self, name: &str, perm: u32, major: u32, minor: u32) -> &mut Self {
        self.entry(name, S_IFCHR | perm, 1, (major, minor), &[])
    }

    /// Writes the trailer and returns the archive bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, 1, (0, 0), &[]);
        self.out
    }

    fn entry(
        &mut self,
        name: &str,
        mode: u32,
        nlink: u32,
        rdev: (u32, u32),
        data: &[u8],
    ) -> &mut Self {
        self.next_ino += 1;
        let name_size = name.len() + 1;
        let fields: [usize; 13] = [
            self.next_ino as usize,
            mode as usize,
            0, // uid
            0, // gid
            nlink as usize,
            0, // mtime
            data.len(),
            0, // devmajor
            0, // devminor
            rdev.0 as usize,
            rdev.1 as usize,
            name_size,
            0, // check
        ];
        self.out.extend_from_slice(b"070701");
        for field in fields {
            self.out
                .extend_from_slice(format!("{field:08X}").as_bytes());
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        self.pad();
        self.out.extend_from_slice(data);
        self.pad();
        self
    }

    fn pad(&mut self) {
        while self.out.len() % 4 != 0 {
            self.out.push(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout_and_padding() {
        let mut writer = CpioWriter::new();
        writer.file("init", 0o755, b"abc");
        let bytes = writer.finish();
        assert_eq!(&bytes[..6], b"070701");
        // mode field (2nd) of the first entry
        assert_eq!(&bytes[14..22], b"000081ED");
        // name "init\0" starts right after the 110-byte header, padded to 116
        assert_eq!(&bytes[110..115], b"init\0");
        assert_eq!(&bytes[116..119], b"abc");
        assert_eq!(bytes.len() % 4, 0);
        assert!(bytes.windows(10).any(|w| w == b"TRAILER!!!"));
    }
}
