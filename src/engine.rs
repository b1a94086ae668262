//! Lint one file: parse, extract key policies, run the enabled rules, map spans to the file.

use std::path::Path;

use std::sync::Arc;

use crate::access::{Inventory, collect};
use crate::diagnostic::{Diagnostic, EmbeddedView};
use crate::extract::cfn::Syntax;
use crate::extract::terraform::{Loader, ModuleFile, NoFiles};
use crate::extract::{self, Extracted, Found, InputKind, NotAnalysed, PolicyDoc};
use crate::model::Policy;
use crate::rule::{Check, Edit, Finding, Fix, Label, Reporter, Rule, RuleRef};
use crate::rules::group_principal_defined_here;
use crate::rules::{ineffective_iam_permission, invalid_json};
use crate::settings::{Settings, Suppression};
use crate::source::SourceFile;
use crate::tree::Span;

/// Files larger than this are refused: no key policy comes near it (the limit is 32 KiB).
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The result of linting one file.
#[derive(Debug, Default)]
pub struct FileReport {
    pub diagnostics: Vec<Diagnostic>,
    /// How many key policies the file held.
    pub policies: usize,
    /// Keys of the file whose policy could not be read, and why.
    pub not_analysed: Vec<NotAnalysed>,
    /// The `[[suppress]]` entries that suppressed a finding here.
    pub suppressions_used: Vec<Arc<Suppression>>,
}

/// How a run came to a file: it decides what is said about a file that may not be a key
/// policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Found by a directory walk, or named in a list another tool made (`--force-exclude`).
    Walked,
    /// Named on the command line, or read from standard input.
    Named,
    /// Opened in an editor.
    Opened,
}

impl Reach {
    /// Named (`true`) or walked (`false`).
    pub fn named(named: bool) -> Reach {
        if named { Reach::Named } else { Reach::Walked }
    }

    /// Whether a file that does not parse is reported even when it was not meant to hold a
    /// key policy (a `tsconfig.json` with comments found by a walk is not).
    pub fn reports_any_parse_error(self) -> bool {
        self == Reach::Named
    }

    /// Whether the user points at the file: a policy whose actions are only `"*"` is then a
    /// key policy (RULES.md §1).
    pub fn points_at(self) -> bool {
        self != Reach::Walked
    }
}

/// Lint a file's text, reached as `reach` says.
pub fn lint_source(
    source: &SourceFile,
    kind: InputKind,
    reach: Reach,
    settings: &Settings,
) -> FileReport {
    let mut report = FileReport::default();
    let kind = kind.refine(&source.text);
    let mut lines = None;
    let extracted =
        extract::extract_noting_lines(kind, &source.text, reach.points_at(), &mut lines);
    if let Some(lines) = lines {
        source.set_line_starts(lines);
    }
    let extracted = match extracted {
        Ok(e) => e,
        Err(e) => {
            if reach.reports_any_parse_error() || kind.meant_as_policy(&source.text) {
                report_parse_error(&mut report, settings, None, e.span, &e.message);
            }
            snap_spans(source, &mut report);
            return report;
        }
    };
    let Extracted::Found(found) = extracted else {
        return report;
    };
    let Found {
        policies,
        errors,
        not_analysed,
    } = found;
    for e in errors {
        report_parse_error(&mut report, settings, e.policy, e.span, &e.message);
    }
    report.not_analysed = not_analysed;
    report.policies = policies.len();
    check_policies(
        &policies,
        &source.text,
        &|_| settings,
        &mut |outcome, _| match outcome {
            Outcome::Reported(d) => report.diagnostics.push(d),
            Outcome::Suppressed(entry) => report.suppressions_used.push(entry),
        },
    );
    // A `.tf` file linted alone is a module of its own, copied only when it may hold what
    // the rules that read a module whole look for.
    let single =
        if kind == InputKind::Hcl && !policies.is_empty() && source.text.contains("aws_iam_") {
            vec![ModuleFile {
                display: String::new(),
                fs_path: None,
                text: source.text.clone(),
            }]
        } else {
            Vec::new()
        };
    let whole = match kind {
        InputKind::Json => Some(Whole::Template(&source.path, &source.text, Syntax::Json)),
        InputKind::Yaml => Some(Whole::Template(&source.path, &source.text, Syntax::Yaml)),
        InputKind::Hcl => Some(Whole::Module(&single, Path::new("."), &NoFiles)),
        InputKind::Template => None,
    };
    if let Some(whole) = whole {
        for outcome in check_whole(whole, &policies, &[settings], &|_| settings) {
            match outcome {
                Outcome::Reported(d) => report.diagnostics.push(d),
                Outcome::Suppressed(entry) => report.suppressions_used.push(entry),
            }
        }
    }
    if kind != InputKind::Json {
        apply_inline_ignores(source, settings, true, &mut report);
    }
    snap_spans(source, &mut report);
    report
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    report
}

/// Run the enabled rules on each policy; every finding goes to `sink` with the settings that
/// govern the place it points at (`settings_at`, by the finding's span in `text`), which
/// decide whether the rule is on there, whether a `[[suppress]]` entry covers it, and its
/// severity. Rules run when the settings of the policy's own place enable them.
fn check_policies<'s>(
    policies: &[PolicyDoc],
    text: &str,
    settings_at: &dyn Fn(Span) -> &'s Settings,
    sink: &mut dyn FnMut(Outcome, &PolicyDoc),
) {
    let mut findings: Vec<Finding> = Vec::new();
    for doc in policies {
        let settings = settings_at(doc.to_file(doc.root.span));
        let mut policy = Policy::new(&doc.root, doc.text(text), &settings.context);
        policy.dialect = doc.dialect;
        for rule in settings.enabled_rules() {
            let Check::Policy(check) = rule.check else {
                continue;
            };
            findings.clear();
            check(&policy, &mut Reporter::new(&mut findings));
            push_findings(
                doc,
                &policy,
                &RuleRef::Builtin(rule),
                &mut findings,
                settings_at,
                sink,
            );
        }
        let mut json = None;
        for custom in settings.enabled_custom_rules() {
            let json = json.get_or_insert_with(|| crate::custom::to_json(&doc.root));
            findings.clear();
            custom.check(&policy, json, &mut Reporter::new(&mut findings));
            push_findings(doc, &policy, &custom.rule, &mut findings, settings_at, sink);
        }
    }
}

/// A Terraform module to lint: its `.tf` files, and which of them the run was asked about.
#[derive(Debug)]
pub struct ModuleInput {
    /// The module's directory.
    pub dir: std::path::PathBuf,
    pub files: Vec<ModuleFile>,
    /// One flag per file of `files`: findings are reported in files the run was asked about
    /// (named, or found by the walk), and in any file that holds the policy of a key
    /// declared in one of those.
    pub asked: Vec<bool>,
    /// How the run came to the files.
    pub reach: Reach,
}

/// The files of a module with their reports: the module's `.tf` files the run was asked
/// about, then every template file its keys' policies were read from.
#[derive(Debug, Default)]
pub struct ModuleReport {
    pub files: Vec<(SourceFile, FileReport)>,
    /// The template files the module's keys read (their file system paths, canonical).
    pub templates: Vec<std::path::PathBuf>,
    /// The `[[suppress]]` entries that suppressed a finding of the module's keys (the files'
    /// own reports list those of their inline checks).
    pub suppressions_used: Vec<Arc<Suppression>>,
}

/// Lint a Terraform module as one unit: keys in one file may take their policy from a
/// document in another file or from a template file (read through `loader`). Each finding
/// is reported in the file it points at, with that file's settings (`settings_for`).
pub fn lint_module(
    input: ModuleInput,
    loader: &dyn Loader,
    settings_for: &dyn Fn(&ModuleFile) -> Settings,
) -> ModuleReport {
    let ModuleInput {
        dir,
        files,
        mut asked,
        reach,
    } = input;
    let displays: Vec<String> = files.iter().map(|f| f.display.clone()).collect();
    let tf_files = files.len();
    let mut module = extract::terraform::extract_module(files, &dir, loader);
    // `extract_module` sorts the files by path: keep the flags with their files; the
    // template files it read after them are always reported.
    asked = module
        .files
        .iter()
        .map(|f| {
            displays
                .iter()
                .position(|d| *d == f.display)
                .is_none_or(|i| asked.get(i).copied().unwrap_or(true))
        })
        .collect();
    let Found {
        policies,
        errors,
        not_analysed,
    } = std::mem::take(&mut module.found);
    let parse_errors = std::mem::take(&mut module.parse_errors);
    let settings: Vec<Settings> = module.files.iter().map(settings_for).collect();
    let text = module.combined_text();
    let mut reports: Vec<FileReport> = module.files.iter().map(|_| FileReport::default()).collect();
    let locate = |span: Span| module.locate(span);
    let settings_at = |span: Span| -> &Settings {
        let i = locate(span).map_or(0, |(i, _)| i);
        &settings[i]
    };
    for (i, e) in &parse_errors {
        let f = &module.files[*i];
        if reach.reports_any_parse_error() || InputKind::Hcl.meant_as_policy(&f.text) {
            report_parse_error(&mut reports[*i], &settings[*i], None, e.span, &e.message);
        }
    }
    let origin_asked = |doc: &PolicyDoc| {
        doc.origin
            .and_then(locate)
            .is_some_and(|(i, _)| asked.get(i).copied().unwrap_or(true))
    };
    for e in errors {
        if let Some((i, span)) = locate(e.span) {
            report_parse_error(&mut reports[i], &settings[i], e.policy, span, &e.message);
        }
    }
    for n in not_analysed {
        if let Some((i, span)) = locate(n.span) {
            reports[i].not_analysed.push(NotAnalysed { span, ..n });
        }
    }
    for doc in &policies {
        let home = doc.origin.or(Some(doc.root.span)).and_then(locate);
        if let Some((i, _)) = home {
            reports[i].policies += 1;
        }
    }
    // One document may be the policy of several keys: report each finding once.
    let mut seen = std::collections::HashSet::new();
    let mut suppressions_used = Vec::new();
    check_policies(&policies, &text, &settings_at, &mut |outcome, doc| {
        let mut d = match outcome {
            Outcome::Reported(d) => d,
            Outcome::Suppressed(entry) => return suppressions_used.push(entry),
        };
        let Some((i, span)) = locate(d.span) else {
            return;
        };
        if !(asked[i] || origin_asked(doc)) {
            return;
        }
        if !seen.insert((i, span, d.rule.code().to_string(), d.message.clone())) {
            return;
        }
        d.span = span;
        d.labels = labels_in_file(std::mem::take(&mut d.labels), i, &locate);
        // A fix whose edits are not all in the finding's file is not offered.
        d.fix = d.fix.take().and_then(|mut fix| {
            for e in &mut fix.edits {
                let (j, s) = locate(e.span)?;
                if j != i {
                    return None;
                }
                e.span = s;
            }
            Some(fix)
        });
        reports[i].diagnostics.push(d);
    });
    // The rules that read the module whole; a finding is reported in a file the run was
    // asked about, with its labels in that file.
    let all: Vec<&Settings> = settings.iter().collect();
    let whole = Whole::Module(&module.files[..tf_files], &dir, loader);
    for outcome in check_whole(whole, &policies, &all, &settings_at) {
        let mut d = match outcome {
            Outcome::Reported(d) => d,
            Outcome::Suppressed(entry) => {
                suppressions_used.push(entry);
                continue;
            }
        };
        let Some((i, span)) = locate(d.span) else {
            continue;
        };
        if !asked[i] || !seen.insert((i, span, d.rule.code().to_string(), d.message.clone())) {
            continue;
        }
        d.span = span;
        d.labels = labels_in_file(std::mem::take(&mut d.labels), i, &locate);
        reports[i].diagnostics.push(d);
    }
    let mut out = ModuleReport {
        suppressions_used,
        templates: module.files[tf_files..]
            .iter()
            .filter_map(|f| f.fs_path.clone())
            .collect(),
        ..ModuleReport::default()
    };
    for (i, (file, mut report)) in module.files.into_iter().zip(reports).enumerate() {
        if !asked[i] && report.diagnostics.is_empty() && report.not_analysed.is_empty() {
            continue;
        }
        let source = SourceFile::new(file.display, file.fs_path, file.text);
        // Findings in a file the run was not asked about are only those of the keys it was:
        // its comments are not judged.
        apply_inline_ignores(&source, &settings[i], asked[i], &mut report);
        snap_spans(&source, &mut report);
        report
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        out.files.push((source, report));
    }
    out
}

/// A CloudFormation template or a Terraform module, for the rules that read one whole.
enum Whole<'a> {
    /// A template: its path as shown, its text and syntax.
    Template(&'a str, &'a str, Syntax),
    /// A module: its `.tf` files, its directory and how it reads the files they name.
    Module(&'a [ModuleFile], &'a Path, &'a dyn Loader),
}

impl Whole<'_> {
    /// Whether the text mentions IAM resources at all: both rules need some (identities and
    /// their policies, or a group), so nothing more is read without them.
    fn mentions_iam(&self) -> bool {
        match self {
            Whole::Template(_, text, _) => text.contains("AWS::IAM::"),
            Whole::Module(files, ..) => files.iter().any(|f| f.text.contains("aws_iam_")),
        }
    }

    /// Whether the text may declare an IAM group.
    fn mentions_groups(&self) -> bool {
        match self {
            Whole::Template(_, text, _) => text.contains("AWS::IAM::Group"),
            Whole::Module(files, ..) => files.iter().any(|f| f.text.contains("aws_iam_group")),
        }
    }

    fn inventory(&self) -> Inventory {
        match self {
            Whole::Template(path, text, syntax) => collect::cloudformation(path, text, *syntax),
            Whole::Module(files, dir, loader) => collect::terraform(files.to_vec(), dir, *loader),
        }
    }
}

/// Run the rules that read a template or module whole (`Check::Inventory`: KMS040, KMS041)
/// when the settings of some of its places (`all`) enable them and it holds key policies
/// (`policies`) they concern. Each finding is kept as the settings of its
/// place (`settings_at`) decide, like a policy rule's.
fn check_whole<'s>(
    whole: Whole<'_>,
    policies: &[PolicyDoc],
    all: &[&'s Settings],
    settings_at: &dyn Fn(Span) -> &'s Settings,
) -> Vec<Outcome> {
    let (iam, group) = (
        &ineffective_iam_permission::RULE,
        &group_principal_defined_here::RULE,
    );
    let Some(first) = all.first().filter(|_| !policies.is_empty()) else {
        return Vec::new();
    };
    let enables = |rule: &Rule| all.iter().any(|s| s.is_enabled(rule));
    let (check_iam, groups_on) = (enables(iam), enables(group));
    if !(check_iam || groups_on) || !whole.mentions_iam() {
        return Vec::new();
    }
    let context = &first.context;
    let check_groups = groups_on && whole.mentions_groups();
    if !check_iam && !check_groups {
        return Vec::new();
    }
    // Read once for both rules: keys, identities (groups with where they are declared).
    let inventory = whole.inventory();
    let mut found = Vec::new();
    if check_iam {
        found.extend(ineffective_iam_permission::check(&inventory, context));
    }
    if check_groups {
        found.extend(group_principal_defined_here::check(&inventory, context));
    }
    let mut out = Vec::new();
    for mut d in found {
        let settings = settings_at(d.span);
        if !settings.is_enabled(&d.rule) {
            continue;
        }
        if let Some(entry) = settings.suppression(&d.rule, d.sid.as_deref()) {
            out.push(Outcome::Suppressed(Arc::clone(entry)));
            continue;
        }
        d.severity = settings.finding_severity(&d.rule, None);
        out.push(Outcome::Reported(d));
    }
    out
}

/// Keep every span inside the text and on character boundaries, whatever produced it.
fn snap_spans(source: &SourceFile, report: &mut FileReport) {
    for d in &mut report.diagnostics {
        d.span = source.snap(d.span);
        for l in &mut d.labels {
            l.span = source.snap(l.span);
        }
    }
}

/// Turn a rule's findings on one policy into diagnostics in the file's coordinates, leaving
/// out those the settings of their place switch off or a `[[suppress]]` entry covers.
fn push_findings<'s>(
    doc: &PolicyDoc,
    policy: &Policy<'_>,
    rule: &RuleRef,
    findings: &mut Vec<Finding>,
    settings_at: &dyn Fn(Span) -> &'s Settings,
    sink: &mut dyn FnMut(Outcome, &PolicyDoc),
) {
    if findings.is_empty() {
        return;
    }
    let sorted = policy
        .statements
        .windows(2)
        .all(|w| w[0].node.span.start <= w[1].node.span.start);
    for f in findings.drain(..) {
        let span = doc.to_file(f.span);
        let settings = settings_at(span);
        if !settings.is_enabled(rule) {
            continue;
        }
        let sid = statement_sid(policy, f.span.start, sorted);
        if let Some(entry) = settings.suppression(rule, sid) {
            sink(Outcome::Suppressed(Arc::clone(entry)), doc);
            continue;
        }
        let embedded = doc.embedded.as_ref().map(|d| EmbeddedView {
            policy: Arc::clone(d),
            span: f.span,
            labels: f.labels.clone(),
        });
        let fix = f.fix.and_then(|fix| fix_in_file(doc, fix));
        let diagnostic = Diagnostic {
            fix,
            embedded,
            sid: sid.map(str::to_string),
            rule: rule.clone(),
            severity: settings.finding_severity(rule, f.severity),
            policy: doc.name.clone(),
            span,
            message: f.message,
            labels: f
                .labels
                .into_iter()
                .map(|mut l| {
                    l.span = doc.to_file(l.span);
                    l
                })
                .collect(),
            help: f.help,
        };
        sink(Outcome::Reported(diagnostic), doc);
    }
}

/// The labels that lie in module file `i`, in that file's coordinates (`locate` maps a span of
/// the module's text to a file and a span in it).
fn labels_in_file(
    labels: Vec<Label>,
    i: usize,
    locate: &dyn Fn(Span) -> Option<(usize, Span)>,
) -> Vec<Label> {
    labels
        .into_iter()
        .filter_map(|mut l| {
            let (j, s) = locate(l.span)?;
            l.span = s;
            (j == i).then_some(l)
        })
        .collect()
}

/// The `Sid` of the statement that holds `at` (in the policy's text), if it has one; `sorted`:
/// the statements are in text order (a binary search finds it).
fn statement_sid<'p>(policy: &Policy<'p>, at: u32, sorted: bool) -> Option<&'p str> {
    let holds = |s: &&crate::model::Statement<'p>| s.node.span.start <= at && at < s.node.span.end;
    let statement = if sorted {
        let i = policy
            .statements
            .partition_point(|s| s.node.span.start <= at);
        i.checked_sub(1)
            .and_then(|i| policy.statements.get(i))
            .filter(holds)
    } else {
        policy.statements.iter().find(holds)
    };
    statement.and_then(|s| s.sid_text())
}

/// A fix in the policy's text, placed in the file: each edit's span mapped, its content
/// written as the file writes the policy (escaped in a JSON string, indented in a heredoc).
/// `None` when an edit cannot be placed exactly.
fn fix_in_file(doc: &PolicyDoc, fix: Fix) -> Option<Fix> {
    let Some(decoded) = &doc.embedded else {
        return Some(fix);
    };
    let edits = fix
        .edits
        .into_iter()
        .map(|e| {
            Some(Edit {
                span: decoded.map(e.span),
                content: decoded.encoding.encode(&e.content)?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Fix { edits, ..fix })
}

/// What became of a rule's finding. Handed to a sink at once, never stored: boxing the
/// diagnostic would cost an allocation per finding.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Reported(Diagnostic),
    /// A `[[suppress]]` entry covered it.
    Suppressed(Arc<Suppression>),
}

/// Drop findings whose line is preceded by a `# kmslint: ignore[CODE,…] reason` comment
/// (or `//` in HCL) naming the rule by code or name; when `judge` (every finding of the file
/// is here), report comments that are wrong or drop nothing as KMS100 (see
/// [`crate::suppress::apply_inline_ignores`]).
fn apply_inline_ignores(
    source: &SourceFile,
    settings: &Settings,
    judge: bool,
    report: &mut FileReport,
) {
    crate::suppress::apply_inline_ignores(
        source,
        settings,
        judge,
        &mut report.diagnostics,
        &mut report.suppressions_used,
    );
}

fn report_parse_error(
    report: &mut FileReport,
    settings: &Settings,
    policy: Option<String>,
    span: Span,
    message: &str,
) {
    let rule = &invalid_json::RULE;
    if !settings.is_enabled(rule) {
        return;
    }
    if let Some(entry) = settings.suppression(rule, None) {
        report.suppressions_used.push(Arc::clone(entry));
        return;
    }
    report.diagnostics.push(invalid_json::diagnostic(
        settings.severity(rule),
        policy,
        span,
        message,
    ));
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge(n) => write!(
                f,
                "the file is {:.1} MiB, larger than the {} MiB limit (a key policy is at most 32 KiB); exclude it with --exclude",
                *n as f64 / (1024.0 * 1024.0),
                MAX_FILE_SIZE / (1024 * 1024)
            ),
        }
    }
}

/// Read a file for linting. Invalid UTF-8 is kept (lossily) and reported by [`lint_bytes`].
pub fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let (file, meta) = open_regular(path)?;
    // The kernel copies into a buffer each thread keeps (memory the cache already holds is
    // filled much faster than fresh memory); the file's own copy is made from it.
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        scratch.clear();
        scratch.reserve(meta.len().min(MAX_FILE_SIZE) as usize + 1);
        // `take` bounds what a FIFO or a growing file can make us read.
        file.take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut scratch)
            .map_err(ReadError::Io)?;
        if scratch.len() as u64 > MAX_FILE_SIZE {
            let read = scratch.len() as u64;
            // A huge buffer is not kept for the files that follow.
            *scratch = Vec::new();
            return Err(ReadError::TooLarge(meta.len().max(read)));
        }
        let bytes = scratch.to_vec();
        if scratch.capacity() > 1 << 20 {
            *scratch = Vec::new();
        }
        Ok(bytes)
    })
}

/// Open `path` for reading, and its metadata, when it is a regular file.
///
/// On Unix the file is opened without blocking, so a FIFO does not wait for a writer, and its
/// metadata is read from the open file: the path is looked up once. Elsewhere the metadata is
/// looked at before opening.
fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), ReadError> {
    #[cfg(unix)]
    let opened = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .and_then(|file| file.metadata().map(|meta| (file, meta)))
    };
    #[cfg(not(unix))]
    let opened = std::fs::metadata(path).and_then(|meta| {
        if meta.is_file() {
            std::fs::File::open(path).map(|file| (file, meta))
        } else {
            Err(not_regular(&meta))
        }
    });
    match opened {
        Ok((file, meta)) if meta.is_file() => Ok((file, meta)),
        Ok((_, meta)) => Err(ReadError::Io(not_regular(&meta))),
        // A socket cannot be opened at all: say what it is rather than why it failed.
        Err(e) => match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => Err(ReadError::Io(not_regular(&meta))),
            _ => Err(ReadError::Io(e)),
        },
    }
}

/// Why what is not a regular file is not read.
fn not_regular(meta: &std::fs::Metadata) -> std::io::Error {
    std::io::Error::other(if meta.is_dir() {
        "is a directory"
    } else {
        "not a regular file (a FIFO, socket or device); kmslint reads only files"
    })
}

/// The text of UTF-16 bytes that start with a byte-order mark (`FF FE` little-endian, `FE FF`
/// big-endian), or the byte offset of an unpaired surrogate; `None` without the mark.
fn decode_utf16(bytes: &[u8]) -> Option<Result<String, usize>> {
    let little = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => true,
        Some([0xFE, 0xFF]) => false,
        _ => return None,
    };
    let units = bytes[2..].chunks(2).map(|c| {
        let pair = [c[0], c.get(1).copied().unwrap_or(0)];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut at = 2;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => {
                out.push(c);
                at += 2 * c.len_utf16();
            }
            Err(_) => return Some(Err(at)),
        }
    }
    Some(Ok(out))
}

/// Lint raw bytes: text that is not UTF-8 is reported where it goes wrong.
pub fn lint_bytes(
    display: &str,
    kind: InputKind,
    bytes: Vec<u8>,
    reach: Reach,
    settings: &Settings,
) -> (SourceFile, FileReport) {
    // A byte-order mark says UTF-16 (what Windows PowerShell's `>` writes): decode it and lint
    // the text as any other; positions count characters, as in any file.
    let bytes = match decode_utf16(&bytes) {
        Some(Ok(text)) => text.into_bytes(),
        Some(Err(at)) => {
            let source = SourceFile::new(display, None, String::new());
            let mut report = FileReport::default();
            report_parse_error(
                &mut report,
                settings,
                None,
                Span::at(0),
                &format!(
                    "the file is UTF-16 with an unpaired surrogate at byte {at}: save it as UTF-8"
                ),
            );
            return (source, report);
        }
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let source = SourceFile::new(display, None, text);
            let report = lint_source(&source, kind, reach, settings);
            (source, report)
        }
        Err(e) => {
            let valid_up_to = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let source = SourceFile::new(display, None, text);
            let mut report = FileReport::default();
            if reach.reports_any_parse_error() || kind.meant_as_policy(&source.text) {
                // The text matches the bytes up to the first invalid one, less a removed BOM.
                let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
                    3
                } else {
                    0
                };
                let at = valid_up_to.saturating_sub(bom) as u32;
                report_parse_error(
                    &mut report,
                    settings,
                    None,
                    Span::new(at, at + 1),
                    "the file is not valid UTF-8: key policies are UTF-8 text",
                );
            }
            snap_spans(&source, &mut report);
            (source, report)
        }
    }
}
