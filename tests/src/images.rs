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

/// A 512-byte MBR boot sector running `code` (at most 510 bytes) from 0x7C00 in real mode.
pub fn boot_sector(code: &[u8]) -> Result<[u8; 512]> {
    if code.len() > 510 {
        return Err(Error::protocol(format!(
            "boot code of {} bytes does not fit a boot sector",
            code.len()
        )));
    }
    let mut sector = [0u8; 512];
    sector[..code.len()].copy_from_slice(code);
    sector[510] = 0x55;
    sector[511] = 0xAA;
    Ok(sector)
}

/// Writes a raw disk image holding just the boot sector running `code`.
pub fn write_boot_disk(path: &Path, code: &[u8]) -> Result<()> {
    std::fs::write(path, boot_sector(code)?)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}
