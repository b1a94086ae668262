//! The records of `kmslint explain --format json`, read back for the explain tests.

use std::collections::BTreeMap;

/// The JSON records: (principal, key, operation) -> (verdict, reasons).
pub type Records = BTreeMap<(String, String, String), (String, Vec<String>)>;

/// The records of `explain --format json` output: each key's records, their reasons read
/// from the key's table of reasons.
pub fn parse_records(out: &str) -> Records {
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    assert_eq!(v["version"], 2);
    let mut records = Records::new();
    for k in v["keys"].as_array().unwrap() {
        let key = k["name"].as_str().unwrap().to_string();
        let table = k["reasons"].as_array().unwrap();
        for r in k["access"].as_array().unwrap() {
            let s = |name: &str| r[name].as_str().unwrap().to_string();
            let reasons = table[r["reasons"].as_u64().unwrap() as usize]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            let old = records.insert(
                (s("principal"), key.clone(), s("operation")),
                (s("verdict"), reasons),
            );
            assert!(old.is_none(), "a record twice: {r}");
        }
        // Every list of reasons of the table is used, once.
        let mut used: Vec<u64> = k["access"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reasons"].as_u64().unwrap())
            .collect();
        used.sort_unstable();
        used.dedup();
        assert_eq!(used.len(), table.len(), "{k}");
    }
    records
}
