//! Installs the front-end packages (Det Fælles Designsystem, Apache ECharts) from the
//! committed `package-lock.json` when they are missing, so that the assets
//! can be embedded in the binary. node_modules is never committed.

use std::path::Path;
use std::process::Command;

fn main() {
    // The English catalogue is embedded: a file added to it rebuilds too.
    println!("cargo:rerun-if-changed=i18n/en");
    println!("cargo:rerun-if-changed=package.json");
    println!("cargo:rerun-if-changed=package-lock.json");
    println!("cargo:rerun-if-changed=node_modules/dkfds/package.json");
    println!("cargo:rerun-if-changed=node_modules/echarts/package.json");
    let marker = Path::new("node_modules/dkfds/dist/css/dkfds.min.css");
    let charts = Path::new("node_modules/echarts/dist/echarts.min.js");
    if marker.exists() && charts.exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .status();
    match status {
        Ok(s) if s.success() && marker.exists() && charts.exists() => {}
        Ok(s) => panic!("`npm ci` in crates/web failed ({s}); the front-end assets are missing"),
        Err(e) => panic!("could not run npm ({e}): komhen's build needs Node.js and npm to install Det Fælles Designsystem"),
    }
}
