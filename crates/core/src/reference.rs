//! The national reference data shipped in `data/` (sources in
//! `data/SOURCES.md`), embedded in the binary and loaded by `komhen migrate`
//! and `komhen demo`. Loading is idempotent.

use crate::CoreResult;
use komhen_domain::reference::ReferenceData;
use komhen_ingest::reference as read;
use komhen_store::{ReferenceCounts, Store};

macro_rules! data_file {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/", $path))
    };
}

const MUNICIPALITIES: &[u8] = data_file!("municipalities/kommuner.csv");
const KLE: &[u8] = data_file!("kle/kle_emneplan_2013.csv");
const CHANNELS: &[u8] = data_file!("codes/channels.csv");
const INQUIRY_TYPES: &[u8] = data_file!("codes/inquiry_types.csv");
const COMPLETIONS: &[u8] = data_file!("codes/completions.csv");
const PACKAGES: &[u8] = data_file!("tasks/packages.csv");
const PACKAGE_TASKS: &[u8] = data_file!("tasks/package_tasks.csv");
const PARAMETERS: &[u8] = data_file!("codes/optional_parameters.csv");
const PARAMETER_OPTIONS: &[u8] = data_file!("codes/optional_parameter_options.csv");

/// Køge's TraceTool logins, autumn 2013: the demo's most realistic set-up.
pub(crate) const KOEGE_LOGINS: &[u8] = data_file!("demo/koege_tracetool_login_roller.csv");

/// The municipality map (GeoJSON, WGS84), for the portal's map.
pub const MUNICIPALITY_MAP_GEOJSON: &[u8] = data_file!("geo/kommuner_multipolygon_2d.geojson");

/// Reads the shipped files. Fails only if a shipped file is broken, which
/// the tests rule out.
pub fn shipped() -> CoreResult<ReferenceData> {
    let (regions, municipalities, populations) = read::municipalities(MUNICIPALITIES)?;
    Ok(ReferenceData {
        regions,
        municipalities,
        populations,
        channels: read::channels(CHANNELS)?,
        inquiry_types: read::inquiry_types(INQUIRY_TYPES)?,
        completions: read::completions(COMPLETIONS)?,
        kle: read::kle_catalogue(KLE)?,
        task_packages: read::task_packages(PACKAGES, PACKAGE_TASKS)?,
        optional_parameters: read::optional_parameters(PARAMETERS, PARAMETER_OPTIONS)?,
    })
}

/// Migrates the schema and loads the shipped reference data.
pub async fn migrate_and_load(store: &dyn Store) -> CoreResult<ReferenceCounts> {
    store.migrate().await?;
    let data = shipped()?;
    store.apply_reference_data(&data).await?;
    Ok(store.reference_counts().await?)
}
