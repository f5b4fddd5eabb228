//! Writes the codebook templates, for a look in a spreadsheet program:
//! `cargo run -p komhen-ingest --example codebook_template -- DIR`
//! writes `DIR/kodebog_skabelon.csv` and `DIR/kodebog_skabelon.xlsx`.

use komhen_ingest::codebook::{template_csv, template_xlsx};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: codebook_template DIR")?,
    );
    std::fs::write(dir.join("kodebog_skabelon.csv"), template_csv())?;
    std::fs::write(dir.join("kodebog_skabelon.xlsx"), template_xlsx()?)?;
    eprintln!("wrote {}/kodebog_skabelon.{{csv,xlsx}}", dir.display());
    Ok(())
}
