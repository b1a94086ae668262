//! The floor kmslint is measured against: find every `.json` file under the given directories
//! and parse each into a `serde_json::Value`, on all cores. Prints how many parsed.

use rayon::prelude::*;

fn main() {
    let mut files: Vec<std::path::PathBuf> = std::env::args()
        .skip(1)
        .flat_map(|root| {
            walkdir::WalkDir::new(root)
                .into_iter()
                .filter_map(Result::ok)
        })
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    let parsed: usize = files
        .par_iter()
        .map(|p| {
            std::fs::read(p)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .is_some() as usize
        })
        .sum();
    println!("{parsed} of {} files parsed", files.len());
}
