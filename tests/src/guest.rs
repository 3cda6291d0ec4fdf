//! A minimal Linux guest: Debian's kernel plus a busybox initramfs built here.
//!
//! The packages are fetched with `apt-get download` (nothing is installed) into a cache
//! directory, `<target dir>/qemu-guest/` (`CARGO_TARGET_DIR` or the workspace's
//! `target/`), so later runs reuse them. Only the kernel image and the virtio modules
//! are unpacked from the kernel package. The initramfs is a `newc` archive written by
//! [`crate::cpio`]: busybox, the virtio modules (in dependency order, from each
//! module's `depends=` modinfo), `/dev/console`, and an `/init` script that loads the
//! modules, prints [`READY_MARKER`] on the console and then idles.
//!
//! Memory hotplug needs nothing extra: Debian's kernel has `CONFIG_ACPI_HOTPLUG_MEMORY=y`,
//! and `memhp_default_state=online_movable` on the command line onlines (removably)
//! whatever DIMM is plugged.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::cpio::CpioWriter;
use crate::error::{Error, Result};

/// Printed on the serial console by `/init` once the modules are loaded.
pub const READY_MARKER: &str = "QMP-GUEST-READY";

/// The modules the guest needs (virtio-pci transport, virtio-balloon driver).
pub const MODULES: [&str; 2] = ["virtio_pci", "virtio_balloon"];

/// Kernel command line for the guest.
pub const KERNEL_CMDLINE: &str =
    "console=ttyS0 loglevel=4 panic=-1 memhp_default_state=online_movable";

/// Bumped whenever the initramfs contents change, to rebuild cached ones.
const INITRAMFS_VERSION: &str = "1";

/// The files QEMU boots with `-kernel` / `-initrd`.
#[derive(Debug, Clone)]
pub struct GuestImage {
    /// The kernel (`vmlinuz`).
    pub kernel: PathBuf,
    /// The uncompressed `newc` initramfs.
    pub initrd: PathBuf,
}

/// The cache directory: `$CARGO_TARGET_DIR/qemu-guest` or `<workspace>/target/qemu-guest`.
pub fn cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("qemu-guest")
}

/// Returns the cached kernel and initramfs, downloading and building them if needed.
pub fn prepare_guest() -> Result<GuestImage> {
    let cache = cache_dir();
    let image = GuestImage {
        kernel: cache.join("vmlinuz"),
        initrd: cache.join("initrd.cpio"),
    };
    let stamp = cache.join("initrd.version");
    if image.kernel.is_file()
        && image.initrd.is_file()
        && fs::read_to_string(&stamp).is_ok_and(|v| v == INITRAMFS_VERSION)
    {
        return Ok(image);
    }
    let debs = cache.join("debs");
    let root = cache.join("unpacked");
    create_dir(&debs)?;
    let kernel_package = kernel_package_name()?;
    download(&debs, &[&kernel_package, "busybox-static"])?;
    if root.exists() {
        fs::remove_dir_all(&root).map_err(|e| Error::io("clearing unpacked guest files", e))?;
    }
    create_dir(&root)?;
    let kernel_deb = find_deb(&debs, &format!("{kernel_package}_"))?;
    extract_from_deb(
        &kernel_deb,
        &root,
        &["./boot/vmlinuz-*", "*/kernel/drivers/virtio/*"],
    )?;
    extract_from_deb(
        &find_deb(&debs, "busybox-static_")?,
        &root,
        &["./bin/busybox"],
    )?;

    let vmlinuz = find_file(&root.join("boot"), |name| name.starts_with("vmlinuz-"))?;
    copy(&vmlinuz, &image.kernel)?;
    let initramfs = build_initramfs(&root)?;
    write_atomically(&image.initrd, &initramfs)?;
    write_atomically(&stamp, INITRAMFS_VERSION.as_bytes())?;
    // The .debs stay cached; the unpacked tree is only an intermediate.
    fs::remove_dir_all(&root).map_err(|e| Error::io("removing unpacked guest files", e))?;
    Ok(image)
}

/// The real package behind the `linux-image-amd64` metapackage (e.g.
/// `linux-image-6.1.0-56-amd64`), from `apt-cache depends`.
fn kernel_package_name() -> Result<String> {
    let output = run(Command::new("apt-cache").args(["depends", "linux-image-amd64"]))?;
    output
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Depends: "))
        .find(|dep| dep.starts_with("linux-image-") && dep.ends_with("-amd64"))
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::protocol(format!(
                "no linux-image-*-amd64 dependency in `apt-cache depends linux-image-amd64` \
                 (run apt-get update?):\n{output}"
            ))
        })
}

/// `apt-get download` the packages into `dir` unless a .deb of each is already there.
fn download(dir: &Path, packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| find_deb(dir, &format!("{p}_")).is_err())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    run(Command::new("apt-get")
        .arg("download")
        .args(&missing)
        .current_dir(dir))?;
    Ok(())
}

/// Extracts the members matching `patterns` (tar wildcards) of a .deb's data into `root`.
fn extract_from_deb(deb: &Path, root: &Path, patterns: &[&str]) -> Result<()> {
    let mut dpkg = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(deb)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io("running dpkg-deb", e))?;
    let tar_input = dpkg
        .stdout
        .take()
        .ok_or_else(|| Error::protocol("dpkg-deb has no stdout"))?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(root)
        .arg("--wildcards")
        .args(patterns)
        .stdin(tar_input)
        .output()
        .map_err(|e| Error::io("running tar", e))?;
    let dpkg_status = dpkg
        .wait()
        .map_err(|e| Error::io("waiting for dpkg-deb", e))?;
    if !tar.status.success() || !dpkg_status.success() {
        return Err(Error::protocol(format!(
            "extracting {} failed (dpkg-deb {dpkg_status}, tar {}): {}",
            deb.display(),
            tar.status,
            String::from_utf8_lossy(&tar.stderr)
        )));
    }
    Ok(())
}

/// Builds the initramfs from the unpacked tree under `root`.
fn build_initramfs(root: &Path) -> Result<Vec<u8>> {
    let modules_dir = find_virtio_dir(root)?;
    let order = module_load_order(&modules_dir, &MODULES)?;
    let busybox = read(&root.join("bin/busybox"))?;

    let mut init = String::from("#!/bin/busybox sh\n/bin/busybox --install -s /bin\n");
    init.push_str("mount -t proc proc /proc\nmount -t sysfs sysfs /sys\n");
    init.push_str("mount -t devtmpfs devtmpfs /dev\n");
    for module in &order {
        init.push_str(&format!("insmod /lib/modules/{module}.ko\n"));
    }
    init.push_str(&format!("echo {READY_MARKER}\n"));
    init.push_str("while true; do sleep 3600; done\n");

    let mut cpio = CpioWriter::new();
    for dir in ["bin", "dev", "proc", "sys", "lib", "lib/modules"] {
        cpio.dir(dir, 0o755);
    }
    cpio.char_device("dev/console", 0o600, 5, 1);
    cpio.file("bin/busybox", 0o755, &busybox);
    cpio.symlink("bin/sh", "busybox");
    cpio.file("init", 0o755, init.as_bytes());
    for module in &order {
        let data = read_module(&modules_dir, module)?;
        cpio.file(&format!("lib/modules/{module}.ko"), 0o644, &data);
    }
    Ok(cpio.finish())
}

/// The directory holding the unpacked virtio modules.
fn find_virtio_dir(root: &Path) -> Result<PathBuf> {
    for base in [root.join("lib/modules"), root.join("usr/lib/modules")] {
        let Ok(entries) = fs::read_dir(&base) else {
            continue;
        };
        for entry in entries.flatten() {
            let dir = entry.path().join("kernel/drivers/virtio");
            if dir.is_dir() {
                return Ok(dir);
            }
        }
    }
    Err(Error::protocol(format!(
        "no kernel/drivers/virtio under {}",
        root.display()
    )))
}

/// `wanted` plus their dependencies, dependencies first.
fn module_load_order(dir: &Path, wanted: &[&str]) -> Result<Vec<String>> {
    fn visit(dir: &Path, module: &str, order: &mut Vec<String>, depth: usize) -> Result<()> {
        if order.iter().any(|m| m == module) {
            return Ok(());
        }
        if depth > 16 {
            return Err(Error::protocol(format!(
                "module dependency loop at {module}"
            )));
        }
        let data = read_module(dir, module)?;
        for dep in module_depends(&data) {
            visit(dir, &dep, order, depth + 1)?;
        }
        order.push(module.to_owned());
        Ok(())
    }
    let mut order = Vec::new();
    for module in wanted {
        visit(dir, module, &mut order, 0)?;
    }
    Ok(order)
}

/// The `depends=` entry of a module's `.modinfo` strings (module names, `_` spelled).
fn module_depends(module: &[u8]) -> Vec<String> {
    const KEY: &[u8] = b"\0depends=";
    let Some(start) = module.windows(KEY.len()).position(|w| w == KEY) else {
        return Vec::new();
    };
    let value = &module[start + KEY.len()..];
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    String::from_utf8_lossy(&value[..end])
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace('-', "_"))
        .collect()
}

/// A module's bytes, from `<name>.ko` or `<name>.ko.xz` (decompressed with `xz`).
fn read_module(dir: &Path, module: &str) -> Result<Vec<u8>> {
    let plain = dir.join(format!("{module}.ko"));
    if plain.is_file() {
        return read(&plain);
    }
    let xz = dir.join(format!("{module}.ko.xz"));
    if xz.is_file() {
        let output = Command::new("xz")
            .arg("-dc")
            .arg(&xz)
            .output()
            .map_err(|e| Error::io("running xz", e))?;
        if output.status.success() {
            return Ok(output.stdout);
        }
        return Err(Error::protocol(format!("xz -dc {} failed", xz.display())));
    }
    Err(Error::protocol(format!(
        "module {module} not found in {}",
        dir.display()
    )))
}

fn find_deb(dir: &Path, prefix: &str) -> Result<PathBuf> {
    find_file(dir, |name| {
        name.starts_with(prefix) && name.ends_with(".deb")
    })
}

fn find_file(dir: &Path, matches: impl Fn(&str) -> bool) -> Result<PathBuf> {
    let entries =
        fs::read_dir(dir).map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(&matches)
        })
        .collect();
    found.sort();
    found
        .pop()
        .ok_or_else(|| Error::protocol(format!("expected file not found in {}", dir.display())))
}

fn run(command: &mut Command) -> Result<String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io(format!("running {command:?}"), e))?;
    if !output.status.success() {
        return Err(Error::protocol(format!(
            "{command:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    write_atomically(to, &read(from)?)
}

fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, data)
        .and_then(|()| fs::rename(&tmp, path))
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}
