//! Tiny disk images written by the tests themselves.

use std::path::Path;

use crate::error::{Error, Result};

/// x86 real-mode code: `mov dx,0x505; mov al,1; out dx,al; hlt`: writes
/// "guest panicked" to the ISA pvpanic device's default I/O port, then halts.
pub const PVPANIC_BOOT_CODE: [u8; 7] = [0xBA, 0x05, 0x05, 0xB0, 0x01, 0xEE, 0xF4];

/// The 512-byte MBR boot sector running [`PVPANIC_BOOT_CODE`] (signature 0x55 0xAA).
pub fn pvpanic_boot_sector() -> [u8; 512] {
    let mut sector = [0u8; 512];
    sector[..PVPANIC_BOOT_CODE.len()].copy_from_slice(&PVPANIC_BOOT_CODE);
    sector[510] = 0x55;
    sector[511] = 0xAA;
    sector
}

/// Writes the pvpanic boot sector as a raw disk image.
pub fn write_pvpanic_disk(path: &Path) -> Result<()> {
    std::fs::write(path, pvpanic_boot_sector())
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// Writes a raw image of `size` bytes, every byte `fill`.
pub fn write_filled_image(path: &Path, size: usize, fill: u8) -> Result<()> {
    std::fs::write(path, vec![fill; size])
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}
