// build.rs — records what --describe reports and cannot ask at run time:
// the rustls crate version this binary was built from (rustls 0.20 has no
// version API), the crate's source directory, and the compiler's version.
use std::env;
use std::fs;
use std::path::Path;
use std::process::Command;

// locked_version returns the version of |name| in Cargo.lock (cargo writes the
// lock before it runs build scripts).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == format!("name = \"{}\"", name) {
            let v = lines.next()?.trim();
            return v.strip_prefix("version = \"")?.strip_suffix('"').map(String::from);
        }
    }
    None
}

fn main() {
    let dir = env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let lock_path = Path::new(&dir).join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock_path.display());
    println!("cargo:rerun-if-env-changed=CABOUND_CARGO_REGISTRY");
    let lock = fs::read_to_string(&lock_path).expect("Cargo.lock");
    let version = locked_version(&lock, "rustls").expect("rustls in Cargo.lock");
    let registry = env::var("CABOUND_CARGO_REGISTRY").unwrap_or_else(|_| "/usr/share/cargo/registry".into());
    let src = Path::new(&registry).join(format!("rustls-{}", version));
    let library = if src.is_dir() {
        format!("{} (statically linked)", src.display())
    } else {
        format!("rustls {} crate (statically linked)", version)
    };
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(&rustc).arg("--version").output().expect("rustc --version");
    let runtime = String::from_utf8_lossy(&out.stdout).trim().to_string();
    println!("cargo:rustc-env=CABOUND_RUSTLS_VERSION={}", version);
    println!("cargo:rustc-env=CABOUND_RUSTLS_LIBRARY={}", library);
    println!("cargo:rustc-env=CABOUND_RUSTC_VERSION={}", runtime);
}
