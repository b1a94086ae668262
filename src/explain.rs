//! The `explain` command: read the key policies of the inputs (as `check` finds them), the
//! grants among them (`aws kms list-grants` output) and the identity policies given with
//! `--iam`, then say for each key who can do what, and why.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::access::collect::{RESOURCE_TYPES, from_module};
use crate::access::eval::{self, KeyView, Lookup, OpGroup, Subject};
use crate::access::report::{self, KeyAccess, Row};
use crate::access::{
    Document, Grant, Identity, IdentityKind, IdentityPolicy, Inventory, Key, key_id,
};
use crate::cli::{EXIT_ERROR, EXIT_OK, ExplainArgs, ExplainFormat, UsageError};
use crate::discover::{Target, discover_in};
use crate::extract::cfn;
use crate::extract::terraform::{ModuleFile, extract_resources};
use crate::extract::{self, Extracted, Found, InputKind, PolicyDoc};
use crate::loader::FsLoader;
use crate::model::{ActionSet, PolicyContext, PrincipalKind, Tri};
use crate::paths::display_path;
use crate::project::Project;
use crate::tree::{Dialect, Node, Value, json, yaml};

/// Run `explain`: the answers to `out`, problems with inputs to `err`.
pub fn explain(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match run(args, out, err) {
        Ok(status) => status,
        Err(messages) => {
            for m in messages {
                let _ = writeln!(err, "error: {m}");
            }
            EXIT_ERROR
        }
    }
}

/// What the command line asks, checked before anything is read.
struct Question {
    iam: Vec<(String, PathBuf)>,
    key_arns: Vec<(String, String)>,
    ops: ActionSet,
}

fn question(args: &ExplainArgs) -> Result<Question, Vec<String>> {
    let mut errors = Vec::new();
    let mut iam = Vec::new();
    for spec in &args.iam {
        match split_iam(spec) {
            Ok(pair) => iam.push(pair),
            Err(UsageError(m)) => errors.push(m),
        }
    }
    let mut key_arns = Vec::new();
    for spec in &args.key_arn {
        match spec.rsplit_once('=') {
            Some((name, arn))
                if !name.is_empty() && arn.starts_with("arn:") && key_id(arn).is_some() =>
            {
                key_arns.push((name.to_string(), arn.to_string()));
            }
            _ => errors.push(format!(
                "`--key-arn {spec}`: expected `NAME=ARN` with a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`)"
            )),
        }
    }
    let ops = match &args.action {
        None => OpGroup::every_action(),
        Some(text) => {
            let ops = eval::parse_action(text);
            if ops.is_empty() {
                let hint = crate::model::action::suggest_action(text)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                errors.push(format!("`--action {text}` names no KMS action{hint}"));
            }
            ops
        }
    };
    if let Some(account) = &args.account
        && !crate::model::principal::is_account_id(account)
    {
        errors.push(format!(
            "`--account {account}` is not a 12-digit account id"
        ));
    }
    if errors.is_empty() {
        Ok(Question { iam, key_arns, ops })
    } else {
        Err(errors)
    }
}

/// `PRINCIPAL=FILE`: the `=` that leaves an existing file on its right (ARNs and file names
/// may both hold one), else the first.
fn split_iam(spec: &str) -> Result<(String, PathBuf), UsageError> {
    let splits: Vec<usize> = spec.match_indices('=').map(|(i, _)| i).collect();
    let at = splits
        .iter()
        .copied()
        .find(|&i| Path::new(&spec[i + 1..]).is_file())
        .or(splits.first().copied());
    match at {
        Some(i) if i > 0 && i + 1 < spec.len() => {
            Ok((spec[..i].to_string(), PathBuf::from(&spec[i + 1..])))
        }
        _ => Err(UsageError(format!(
            "`--iam {spec}`: expected `PRINCIPAL=FILE`, PRINCIPAL an IAM user's, role's or group's ARN"
        ))),
    }
}

fn run(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, Vec<String>> {
    let question = question(args)?;
    let project = Arc::new(Project::new(&args.overrides())?);
    let errors = project.errors();
    if !errors.is_empty() {
        return Err(errors.iter().map(ToString::to_string).collect());
    }
    let mut status = EXIT_OK;
    let mut inventory = Inventory::default();
    // Identity policies first: a file that cannot be read is a usage error.
    inventory.merge(identities(&question.iam)?);

    let (targets, walk_errors) = discover_in(&project, &args.paths);
    for e in walk_errors {
        let _ = writeln!(err, "error: {}: {}", display_path(&e.path), e.message);
        status = EXIT_ERROR;
    }
    let (modules, files) = crate::lint::units(&targets);
    let loader = FsLoader::new();
    let mut read: Vec<Read> = modules
        .par_iter()
        .map(|(dir, members)| read_module(dir, members, &loader))
        .collect();
    read.extend(files.par_iter().map(|t| read_file(t)).collect::<Vec<_>>());
    for r in read {
        for w in r.warnings {
            let _ = writeln!(err, "warning: {w}");
        }
        for e in r.errors {
            let _ = writeln!(err, "error: {e}");
            status = EXIT_ERROR;
        }
        inventory.merge(r.inventory);
    }
    // Terraform modules were read first: every key in path order (a file's keys in their order).
    inventory
        .keys
        .sort_by(|a, b| crate::paths::path_order(Path::new(&a.path), Path::new(&b.path)));
    for key in &mut inventory.keys {
        let path = PathBuf::from(&key.path);
        if key.account.is_none() {
            key.account = project
                .scope_for(&path)
                .settings_for(&path)
                .context
                .account
                .clone();
        }
    }
    apply_key_arns(&mut inventory, &question.key_arns)?;
    if inventory.keys.is_empty() {
        let _ = writeln!(err, "no key policy found");
    }

    let keys = select_keys(&inventory, args.key.as_deref())?;
    let asked = match &args.principal {
        Some(p) => Some(select_principal(&inventory, p)?),
        None => None,
    };
    let lookup = Lookup::new(&inventory);
    let format = match (args.format, args.action.is_some()) {
        (ExplainFormat::Json, _) => Format::Json,
        (ExplainFormat::Human, true) => Format::Sentences { markdown: false },
        (ExplainFormat::Markdown, true) => Format::Sentences { markdown: true },
        (ExplainFormat::Human, false) => Format::Human,
        (ExplainFormat::Markdown, false) => Format::Markdown,
    };
    let ask = Ask {
        lookup: &lookup,
        principals: asked.as_deref(),
        ops: question.ops,
    };
    if write_answers(&keys, &ask, format, out).is_err() {
        let _ = writeln!(err, "error: could not write the answers");
        return Ok(EXIT_ERROR);
    }
    Ok(status)
}

/// How the answers are written.
#[derive(Clone, Copy)]
enum Format {
    Json,
    Human,
    Markdown,
    /// One sentence per question (`--action`), as list items in markdown.
    Sentences {
        markdown: bool,
    },
}

impl Format {
    /// The text of one key's answers.
    fn key(self, access: &KeyAccess<'_>) -> String {
        match self {
            Format::Json => report::json_key(access),
            Format::Human => report::human_key(access),
            Format::Markdown => report::markdown_key(access),
            Format::Sentences { markdown } => report::sentences_key(access, markdown),
        }
    }

    /// What comes before the first key, between two keys, and after the last.
    fn frame(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Format::Json => (report::JSON_START, report::JSON_SEPARATOR, report::JSON_END),
            Format::Human | Format::Markdown => ("", "\n", ""),
            Format::Sentences { .. } => ("", "", ""),
        }
    }
}

/// What is asked of every key: about whom (`None`: the principals of each key's matrix),
/// and which operations.
struct Ask<'a, 'i> {
    lookup: &'a Lookup<'i>,
    principals: Option<&'a [Subject]>,
    ops: ActionSet,
}

/// What one key gives each principal asked about.
fn key_access<'i>(key: &'i Key, ask: &Ask<'_, '_>) -> KeyAccess<'i> {
    let view = KeyView::new(key, &PolicyContext::default());
    let subjects = match ask.principals {
        Some(s) => s.to_vec(),
        None => subjects_for(ask.lookup, &view),
    };
    let rows = subjects
        .into_iter()
        .map(|subject| Row {
            answers: view.evaluate(ask.lookup, &subject, ask.ops),
            subject,
        })
        .collect();
    KeyAccess {
        key,
        delegation: view.delegation(),
        rows,
    }
}

/// How many keys are evaluated and written at a time: their texts are all that is held.
const BATCH: usize = 256;

/// Evaluate the keys and write their answers, in path order: each batch of keys is evaluated
/// and rendered in parallel, then written, so memory holds the answers of one batch.
fn write_answers(
    keys: &[&Key],
    ask: &Ask<'_, '_>,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(crate::output::REPORT_BUFFER, out);
    let (start, separator, end) = format.frame();
    if keys.is_empty() && matches!(format, Format::Json) {
        out.write_all(b"{\"version\":2,\"keys\":[]}\n")?;
        return out.flush();
    }
    out.write_all(start.as_bytes())?;
    let mut first = true;
    for batch in keys.chunks(BATCH) {
        let texts: Vec<String> = batch
            .par_iter()
            .map(|key| format.key(&key_access(key, ask)))
            .collect();
        for text in texts {
            if !first {
                out.write_all(separator.as_bytes())?;
            }
            first = false;
            out.write_all(text.as_bytes())?;
        }
    }
    out.write_all(end.as_bytes())?;
    out.flush()
}

/// What one file or module gave.
#[derive(Default)]
struct Read {
    inventory: Inventory,
    warnings: Vec<String>,
    errors: Vec<String>,
}

/// The text of a file, without a byte-order mark.
fn text_of(path: &Path) -> Result<String, String> {
    let display = display_path(path);
    let bytes = crate::engine::read_file(path).map_err(|e| format!("{display}: {e}"))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{display}: the file is not valid UTF-8"))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Read one file that is not Terraform: its key policies, or its grants.
fn read_file(target: &Target) -> Read {
    let display = display_path(&target.path);
    let mut read = Read::default();
    let text = match text_of(&target.path) {
        Ok(t) => t,
        Err(e) => {
            read.errors.push(e);
            return read;
        }
    };
    let kind = target.kind.refine(&text);
    // Parsed once: for grants, for a template's keys and identities, for a policy's keys.
    let root = match kind {
        InputKind::Json => json::parse(&text).ok(),
        InputKind::Yaml => yaml::parse(&text).ok(),
        InputKind::Hcl | InputKind::Template => None,
    };
    if let Some(list) = root
        .as_ref()
        .filter(|_| kind == InputKind::Json)
        .and_then(|r| r.get("Grants"))
        && matches!(list.value.value, Value::Array(_))
    {
        read.inventory.grants = grants(&list.value, &display);
        return read;
    }
    if let Some(root) = root.as_ref().filter(|r| cfn::is_template(r)) {
        let syntax = if kind == InputKind::Yaml {
            cfn::Syntax::Yaml
        } else {
            cfn::Syntax::Json
        };
        if let Extracted::Found(found) = cfn::extract(root, &text, syntax) {
            read.warnings.extend(
                warnings_of(&found)
                    .into_iter()
                    .map(|w| format!("{display}: {w}")),
            );
        }
        read.inventory = crate::access::collect::cloudformation_root(&display, &text, root, syntax);
        return read;
    }
    let extracted = match (kind, root) {
        (InputKind::Json, Some(root)) => Ok(extract::from_json(root, &text, target.explicit)),
        // YAML that is no template holds no key policy.
        (InputKind::Yaml, Some(_)) => Ok(Extracted::Nothing),
        // What does not parse, and template files: as `check` reads them.
        _ => extract::extract(kind, &text, target.explicit),
    };
    let found = match extracted {
        Ok(Extracted::Found(found)) => found,
        Ok(Extracted::Nothing) => return read,
        Err(e) => {
            if target.explicit || kind.meant_as_policy(&text) {
                read.warnings
                    .push(format!("{display}: not read: {}", e.message));
            }
            return read;
        }
    };
    read.warnings.extend(
        warnings_of(&found)
            .into_iter()
            .map(|w| format!("{display}: {w}")),
    );
    read.inventory = keys_of(found, &Arc::from(text), |_| display.clone());
    read
}

/// Read a Terraform module (the `.tf` files of a directory).
fn read_module(dir: &Path, members: &[&Target], loader: &FsLoader) -> Read {
    let mut read = Read::default();
    let mut files = Vec::new();
    let named: Vec<&Path> = members.iter().map(|t| t.path.as_path()).collect();
    for (path, bytes) in crate::loader::module_files_with(dir, &named) {
        let display = display_path(&path);
        let member = members.iter().any(|t| t.path == path);
        let text = bytes.map_err(|e| format!("{display}: {e}")).and_then(|b| {
            String::from_utf8(b).map_err(|_| format!("{display}: the file is not valid UTF-8"))
        });
        match text {
            Ok(text) => files.push(ModuleFile::new(display, path, text)),
            Err(e) if member => read.errors.push(e),
            Err(_) => {}
        }
    }
    // Read once: for what cannot be read (the warnings `check` would give as findings), and
    // for the keys, identities and grants.
    let (mut module, resources) = extract_resources(files, dir, loader, RESOURCE_TYPES);
    for (i, e) in &module.parse_errors {
        if let Some(f) = module.files.get(*i)
            && InputKind::Hcl.meant_as_policy(&f.text)
        {
            read.warnings
                .push(format!("{}: not read: {}", f.display, e.message));
        }
    }
    let file_of = |span| {
        module
            .locate(span)
            .and_then(|(i, _)| module.files.get(i))
            .map_or_else(String::new, |f| f.display.clone())
    };
    for e in &module.found.errors {
        read.warnings
            .push(format!("{}: {}", file_of(e.span), error_text(e)));
    }
    for n in &module.found.not_analysed {
        read.warnings
            .push(format!("{}: {}", file_of(n.span), not_analysed_text(n)));
    }
    let policies = std::mem::take(&mut module.found.policies);
    read.inventory = from_module(&module, policies, &resources);
    read
}

/// A policy that could not be read, for a warning.
fn error_text(e: &extract::ExtractError) -> String {
    let what = e
        .policy
        .as_deref()
        .map(|p| format!("`{p}`: "))
        .unwrap_or_default();
    format!("{what}not read: {}", e.message)
}

/// A key whose policy cannot be read, for a warning.
fn not_analysed_text(n: &extract::NotAnalysed) -> String {
    format!("`{}` not analysed: {}", n.policy, n.reason)
}

/// What extraction could not read, for warnings.
fn warnings_of(found: &Found) -> Vec<String> {
    found
        .errors
        .iter()
        .map(error_text)
        .chain(found.not_analysed.iter().map(not_analysed_text))
        .collect()
}

/// The keys of what extraction found: each policy a key named as diagnostics name it (a
/// plain policy file by its path).
fn keys_of(found: Found, text: &Arc<str>, file_of: impl Fn(&PolicyDoc) -> String) -> Inventory {
    let keys = found
        .policies
        .into_iter()
        .map(|doc| {
            let path = file_of(&doc);
            Key {
                name: doc.name.clone().unwrap_or_else(|| path.clone()),
                path,
                arn: None,
                refs: Vec::new(),
                policy: Document::new(doc, Arc::clone(text)),
                account: None,
            }
        })
        .collect();
    Inventory {
        keys,
        ..Inventory::default()
    }
}

/// The grants of `aws kms list-grants` output.
fn grants(list: &Node, display: &str) -> Vec<Grant> {
    let text = |g: &Node, name: &str| {
        g.get(name)
            .and_then(|m| m.value.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    list.one_or_many()
        .iter()
        .enumerate()
        .filter(|(_, g)| g.is_object())
        .map(|(i, g)| Grant {
            name: text(g, "Name")
                .or_else(|| text(g, "GrantId"))
                .unwrap_or_else(|| format!("{} of {display}", i + 1)),
            key: text(g, "KeyId").unwrap_or_default(),
            grantee: text(g, "GranteePrincipal").unwrap_or_default(),
            operations: g
                .get("Operations")
                .map(|m| {
                    m.value
                        .one_or_many()
                        .iter()
                        .filter_map(Node::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            retiring: text(g, "RetiringPrincipal"),
            constraints: g
                .get("Constraints")
                .map(|m| {
                    m.value
                        .members()
                        .iter()
                        .map(|c| format!("`{} {}`", c.key, compact(&c.value)))
                        .collect()
                })
                .unwrap_or_default(),
            path: display.to_string(),
        })
        .collect()
}

/// A value written as compact JSON, for messages.
fn compact(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.clone(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(compact).collect();
            format!("[{}]", items.join(","))
        }
        Value::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|m| {
                    format!(
                        "{}:{}",
                        serde_json::to_string(&m.key).unwrap_or_default(),
                        compact(&m.value)
                    )
                })
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Unknown(u) => u.description.clone(),
    }
}

/// The identities of `--iam`: each principal with its policy files.
fn identities(specs: &[(String, PathBuf)]) -> Result<Inventory, Vec<String>> {
    let mut inventory = Inventory::default();
    let mut errors = Vec::new();
    for (arn, file) in specs {
        let kind = match Subject::new(arn).principal().map(|p| p.kind) {
            Some(PrincipalKind::User { .. }) => IdentityKind::User,
            Some(PrincipalKind::Role { .. }) => IdentityKind::Role,
            Some(PrincipalKind::Group { .. }) => IdentityKind::Group,
            _ => {
                errors.push(format!(
                    "`--iam {arn}=…`: `{arn}` is not the ARN of an IAM user, role or group"
                ));
                continue;
            }
        };
        match identity_policy(file) {
            Ok(policy) => inventory.merge(Inventory {
                identities: vec![Identity {
                    arn: arn.clone(),
                    kind,
                    policies: vec![policy],
                    groups: Vec::new(),
                    declared: None,
                }],
                ..Inventory::default()
            }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(inventory)
    } else {
        Err(errors)
    }
}

/// An identity policy file: a policy document, or the output of `aws iam get-user-policy`
/// (and the role and group variants: `PolicyDocument`) or `aws iam get-policy-version`
/// (`PolicyVersion.Document`).
fn identity_policy(file: &Path) -> Result<IdentityPolicy, String> {
    let display = display_path(file);
    let text = text_of(file)?;
    let root = json::parse(&text).map_err(|e| format!("{display}: {}", e.message))?;
    let document = if root.get("Statement").is_some() {
        root
    } else if let Some(m) = root.get("PolicyDocument").filter(|m| m.value.is_object()) {
        m.value.clone()
    } else if let Some(m) = root
        .get("PolicyVersion")
        .and_then(|v| v.value.get("Document"))
        .filter(|m| m.value.is_object())
    {
        m.value.clone()
    } else {
        return Err(format!(
            "{display}: not an identity policy (no `Statement`, `PolicyDocument` or `PolicyVersion.Document`)"
        ));
    };
    if extract::has_policy_shape(&document) {
        return Err(format!(
            "{display}: its statements have `Principal`: an identity policy has none (pass key policies as paths)"
        ));
    }
    let name = file
        .file_stem()
        .map_or_else(|| display.clone(), |s| s.to_string_lossy().into_owned());
    Ok(IdentityPolicy {
        name: name.clone(),
        path: display,
        doc: Document::new(
            PolicyDoc {
                name: Some(name),
                root: document,
                embedded: None,
                origin: None,
                dialect: Dialect::Json,
            },
            Arc::from(text),
        ),
    })
}

/// `--key-arn NAME=ARN`: the key named NAME (its name, or for a plain policy file its path)
/// has this ARN.
fn apply_key_arns(inventory: &mut Inventory, arns: &[(String, String)]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for (name, arn) in arns {
        let shown = display_path(Path::new(name));
        let matching: Vec<usize> = inventory
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.name == *name || k.name == shown)
            .map(|(i, _)| i)
            .collect();
        match matching[..] {
            [i] => inventory.keys[i].arn = Some(arn.clone()),
            [] => errors.push(format!(
                "`--key-arn {name}=…`: no key named `{name}` (keys: {})",
                key_names(inventory)
            )),
            _ => errors.push(format!(
                "`--key-arn {name}=…`: {} keys are named `{name}`",
                matching.len()
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn key_names(inventory: &Inventory) -> String {
    if inventory.keys.is_empty() {
        return "none".to_string();
    }
    inventory
        .keys
        .iter()
        .map(|k| format!("`{}`", k.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--key NAME`: the keys it names (name, its last part, `CmkA` for `Resources.CmkA`, a plain
/// policy file's path or file name with or without its extension, ARN or key id); every key
/// without it.
fn select_keys<'i>(
    inventory: &'i Inventory,
    asked: Option<&str>,
) -> Result<Vec<&'i Key>, Vec<String>> {
    let Some(asked) = asked else {
        return Ok(inventory.keys.iter().collect());
    };
    let file = |k: &Key| {
        let p = Path::new(&k.path);
        let name = p.file_name().map(|s| s.to_string_lossy().into_owned());
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
        (name, stem)
    };
    let selected: Vec<&Key> = inventory
        .keys
        .iter()
        .filter(|k| {
            let (name, stem) = file(k);
            k.name == asked
                || k.path == asked
                || k.is_named_by(asked)
                || (k.name != k.path
                    && k.name
                        .rsplit_once('.')
                        .is_some_and(|(_, last)| last == asked))
                || (k.name == k.path
                    && (name.as_deref() == Some(asked) || stem.as_deref() == Some(asked)))
        })
        .collect();
    if selected.is_empty() {
        return Err(vec![format!(
            "`--key {asked}`: no such key (keys: {})",
            key_names(inventory)
        )]);
    }
    Ok(selected)
}

/// Every principal named in any key policy, every identity and every grantee.
fn every_subject(inventory: &Inventory) -> Vec<Subject> {
    let mut all = Vec::new();
    for key in &inventory.keys {
        all.extend(KeyView::new(key, &PolicyContext::default()).principals());
    }
    all.extend(inventory.identities.iter().map(|i| Subject::new(&i.arn)));
    all.extend(inventory.grants.iter().map(|g| Subject::new(&g.grantee)));
    dedup(all)
}

/// The rows of a key's matrix: the principals its policy names, the identities whose
/// policies are known, and the grantees of grants that may be for it.
fn subjects_for(lookup: &Lookup<'_>, view: &KeyView<'_>) -> Vec<Subject> {
    let inventory = lookup.inventory;
    let mut all = view.principals();
    all.extend(inventory.identities.iter().map(|i| Subject::new(&i.arn)));
    all.extend(
        inventory
            .grants
            .iter()
            .filter(|g| lookup.grant_for(g, view.key) != Tri::No)
            .map(|g| Subject::new(&g.grantee)),
    );
    dedup(all)
}

/// One subject per principal, sorted by how they are written. A principal written with
/// template values (`arn:${AWS::Partition}:iam::${AWS::AccountId}:user/Bob`) is shown as an
/// identity's ARN names it, when one does.
fn dedup(subjects: Vec<Subject>) -> Vec<Subject> {
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut out: Vec<Subject> = Vec::new();
    for s in subjects {
        let id = s.identity().unwrap_or_else(|| s.text().to_string());
        match at.get(&id) {
            Some(&i) => {
                if out[i].text().contains("${") && !s.text().contains("${") {
                    out[i] = s;
                }
            }
            None => {
                at.insert(id, out.len());
                out.push(s);
            }
        }
    }
    out.sort_by(|a, b| a.text().cmp(b.text()));
    out
}

/// `--principal`: the principals it names (an ARN or account id, or a user's or role's name);
/// a principal no input names is asked about as given when it is one.
fn select_principal(inventory: &Inventory, asked: &str) -> Result<Vec<Subject>, Vec<String>> {
    let given = Subject::new(asked);
    let id = given.identity();
    let all = every_subject(inventory);
    let matching: Vec<Subject> = all
        .iter()
        .filter(|s| {
            s.text() == asked
                || s.short() == asked
                || s.name().as_deref() == Some(asked)
                || (id.is_some() && s.identity() == id)
        })
        .cloned()
        .collect();
    if !matching.is_empty() {
        return Ok(matching);
    }
    let readable = given.principal().is_some_and(|p| {
        !matches!(
            p.kind,
            PrincipalKind::Invalid(_) | PrincipalKind::Unknown | PrincipalKind::UniqueId
        )
    });
    if readable {
        return Ok(vec![given]);
    }
    let known: Vec<String> = all.iter().map(|s| format!("`{}`", s.text())).collect();
    Err(vec![format!(
        "`--principal {asked}`: no such principal in the inputs, and not an ARN (principals: {})",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )])
}
