//! A Terraform module: the `.tf` files of one directory read together, so a key's `policy`
//! can be resolved through the module: `data "aws_iam_policy_document"` (in any file),
//! `locals`, `templatefile(...)` and `data "template_file"`, interpolation-only strings,
//! heredocs and quoted JSON with template parts.
//!
//! Every file of the module, and every template file read, gets a range of one coordinate
//! space (its base offset), so a policy whose parts come from several files is one tree and
//! each finding can be routed back to its file.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};

use super::document;
use super::{KEY_RESOURCES, heredoc};
use crate::extract::embedded::{
    json_string_in, mark_interpolations, parse_policy, parse_template_policy,
};
use crate::extract::{ExtractError, Found, PolicyDoc};
use crate::tree::Dialect;
use crate::tree::escape::{Decoded, Encoding};
use crate::tree::hcl::{self, Resolve, Source, interpolation_only, traversal_path};
use crate::tree::json::ParseError;
use crate::tree::{Node, Span, Unknown, Value};

/// How deep references may chain (`local.a` → `local.b` → …): deeper is a cycle.
const MAX_HOPS: usize = 32;

/// A file of a module, or a template file it reads.
#[derive(Debug, Clone)]
pub struct ModuleFile {
    /// The path as shown in reports.
    pub display: String,
    /// The file system path, when the text came from a file.
    pub fs_path: Option<PathBuf>,
    pub text: String,
}

impl ModuleFile {
    /// A file read from disk, its byte-order mark removed.
    pub fn new(display: String, fs_path: PathBuf, text: String) -> Self {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        ModuleFile {
            display,
            fs_path: Some(fs_path),
            text,
        }
    }
}

/// Reads the files a module names (`templatefile("x.tpl", …)`, `file("x.json")`).
pub trait Loader: Sync {
    /// The file at `path` (relative paths are relative to the working directory), or why it
    /// cannot be read (outside the repository, missing, too large).
    fn load(&self, path: &Path) -> Result<ModuleFile, String>;
}

/// A loader that reads nothing (a module checked without its surroundings).
pub struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, path: &Path) -> Result<ModuleFile, String> {
        Err(format!("`{}` is not available", path.display()))
    }
}

/// What a module holds: its files (the `.tf` files, then the template files read), where
/// each starts in the module's coordinates, and the key policies found.
#[derive(Debug)]
pub struct ModuleExtract {
    pub files: Vec<ModuleFile>,
    /// The base offset of each file (same order as `files`).
    pub bases: Vec<u32>,
    /// Policies, errors and keys not analysed, with spans in the module's coordinates.
    pub found: Found,
    /// Files that do not parse: the file's index and the error (spans in the file's own text).
    pub parse_errors: Vec<(usize, ParseError)>,
}

impl ModuleExtract {
    /// The file a span of the module's coordinates falls in, and the span in that file.
    pub fn locate(&self, span: Span) -> Option<(usize, Span)> {
        let i = self
            .bases
            .partition_point(|b| *b <= span.start)
            .checked_sub(1)?;
        let base = self.bases[i];
        let len = self.files[i].text.len() as u32;
        let (start, end) = (span.start - base, span.end.saturating_sub(base));
        (start <= len).then(|| (i, Span::new(start, end.min(len).max(start))))
    }

    /// Every file's text in the module's coordinates (a file starts at its base; the gaps
    /// between files are newlines).
    pub fn combined_text(&self) -> String {
        let mut out = String::new();
        for (file, base) in self.files.iter().zip(&self.bases) {
            while out.len() < *base as usize {
                out.push('\n');
            }
            out.push_str(&file.text);
        }
        out
    }
}

/// A `resource` block of a module read for what it says beside key policies (IAM
/// identities, their policies and memberships, grants).
#[derive(Debug)]
pub struct Resource {
    /// The resource type (`aws_iam_role`).
    pub kind: String,
    /// The resource name (`reader` in `resource "aws_iam_role" "reader"`).
    pub name: String,
    /// The block, in the module's coordinates.
    pub span: Span,
    /// Its arguments as an object: each attribute's value as the module gives it (locals
    /// resolved; a reference such as `aws_kms_key.a.arn` an unknown value described as
    /// written, `${aws_kms_key.a.arn}` inside a string), each nested block an element of an
    /// array under the block's name (the `content` of a `dynamic` block, maybe present).
    pub body: Node,
    /// The policies its `policy` arguments give (`jsonencode`, a heredoc, a quoted string, a
    /// `data "aws_iam_policy_document"`, a template file, a local), each read as a key's
    /// `policy` is.
    pub policies: Vec<ResourcePolicy>,
}

/// The `policy` argument of a resource (or of one of its nested blocks, such as an
/// `aws_iam_role`'s `inline_policy`), resolved.
#[derive(Debug)]
pub struct ResourcePolicy {
    /// The nested block that holds it, and which of the blocks of that name (0 for the
    /// first), or `None` for the resource's own `policy`.
    pub block: Option<(String, usize)>,
    /// Where the `policy` argument's value is, in the module's coordinates.
    pub span: Span,
    /// The policies it may be (a conditional may give two), or why it cannot be read.
    pub docs: Result<Vec<PolicyDoc>, String>,
}

/// Read a module as [`extract_module`] does, and also its `resource` blocks of the types
/// `kinds` (in the order of the files, sorted by path, and of the blocks in each).
pub fn extract_resources(
    files: Vec<ModuleFile>,
    dir: &Path,
    loader: &dyn Loader,
    kinds: &[&str],
) -> (ModuleExtract, Vec<Resource>) {
    read_module(files, dir, loader, kinds)
}

/// One parsed `.tf` file.
struct Parsed {
    body: Body,
    index: usize,
}

/// Read a module: its `.tf` files (any order; they are sorted by path).
pub fn extract_module(files: Vec<ModuleFile>, dir: &Path, loader: &dyn Loader) -> ModuleExtract {
    read_module(files, dir, loader, &[]).0
}

/// Read a module: its key policies, and its resources of the types `kinds`.
fn read_module(
    mut files: Vec<ModuleFile>,
    dir: &Path,
    loader: &dyn Loader,
    kinds: &[&str],
) -> (ModuleExtract, Vec<Resource>) {
    files.sort_by(|a, b| a.display.cmp(&b.display));
    let mut bases = Vec::with_capacity(files.len());
    let mut next = 0u32;
    for f in &files {
        bases.push(next);
        // One newline between files, so a span at the end of one is not the start of the next.
        next = next.saturating_add(f.text.len() as u32 + 1);
    }
    let mut parse_errors = Vec::new();
    let mut parsed = Vec::new();
    for (index, f) in files.iter().enumerate() {
        match hcl::parse_body(&f.text) {
            Ok(body) => parsed.push(Parsed { body, index }),
            Err(e) => parse_errors.push((index, e)),
        }
    }
    let module = Module {
        dir,
        files: &files,
        bases: &bases,
        index: Index::new(&parsed),
        loader,
        loaded: RefCell::new(Vec::new()),
        next_base: RefCell::new(next),
    };
    let found = module.key_policies();
    let resources = if kinds.is_empty() {
        Vec::new()
    } else {
        module.resources(&parsed, kinds)
    };
    let loaded = module.loaded.into_inner();
    drop(parsed);
    for (file, base) in loaded {
        files.push(file);
        bases.push(base);
    }
    let module = ModuleExtract {
        files,
        bases,
        found,
        parse_errors,
    };
    (module, resources)
}

/// The blocks of a module by kind and name.
#[derive(Default)]
struct Index<'a> {
    /// `locals { NAME = … }`: the file and the expression.
    locals: HashMap<&'a str, (usize, &'a Expression)>,
    /// `data "aws_iam_policy_document" NAME`.
    documents: HashMap<&'a str, (usize, &'a Block)>,
    /// `data "template_file" NAME`.
    template_files: HashMap<&'a str, (usize, &'a Block)>,
    /// KMS key resources in file order: file, type, name, block.
    keys: Vec<(usize, &'a str, &'a str, &'a Block)>,
}

impl<'a> Index<'a> {
    fn new(parsed: &'a [Parsed]) -> Self {
        let mut index = Index::default();
        for p in parsed {
            for block in p.body.blocks() {
                let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
                match (block.ident.as_str(), &labels[..]) {
                    ("locals", []) => {
                        for attr in block.body.attributes() {
                            index
                                .locals
                                .insert(attr.key.as_str(), (p.index, &attr.value));
                        }
                    }
                    ("data", ["aws_iam_policy_document", name]) => {
                        index.documents.insert(name, (p.index, block));
                    }
                    ("data", ["template_file", name]) => {
                        index.template_files.insert(name, (p.index, block));
                    }
                    ("resource", [kind, name]) if KEY_RESOURCES.contains(kind) => {
                        index.keys.push((p.index, kind, name, block));
                    }
                    _ => {}
                }
            }
        }
        index
    }
}

pub(super) struct Module<'a> {
    dir: &'a Path,
    files: &'a [ModuleFile],
    bases: &'a [u32],
    index: Index<'a>,
    loader: &'a dyn Loader,
    /// Template files read so far, with their base offsets.
    loaded: RefCell<Vec<(ModuleFile, u32)>>,
    next_base: RefCell<u32>,
}

/// Where a key's policy comes from, as far as the module tells.
enum Resolved {
    /// One or more policies the key may have (a conditional gives two).
    Policies(Vec<PolicyDoc>),
    /// A policy that is there but not valid JSON.
    Error(ExtractError),
    /// Nothing kmslint can read: why.
    Unknown(String),
}

impl<'a> Module<'a> {
    fn src(&self, file: usize) -> Source<'a> {
        Source {
            text: &self.files[file].text,
            base: self.bases[file],
        }
    }

    fn key_policies(&self) -> Found {
        let mut found = Found::default();
        for &(file, kind, name, block) in &self.index.keys {
            let Some(attr) = block.body.get_attribute("policy") else {
                // No `policy`: AWS gives the key its default policy.
                continue;
            };
            let address = format!("{kind}.{name}");
            let src = self.src(file);
            let origin = src.span(block.span());
            match self.policy(&attr.value, file, &address, 0) {
                Resolved::Policies(docs) => {
                    for mut doc in docs {
                        doc.origin = Some(origin);
                        found.policies.push(doc);
                    }
                }
                Resolved::Error(mut e) => {
                    e.policy = Some(address);
                    found.errors.push(e);
                }
                Resolved::Unknown(reason) => {
                    found.not_analysed(&address, src.span(attr.value.span()), reason)
                }
            }
        }
        found
    }

    /// The `resource` blocks of the types `kinds`, read.
    fn resources(&self, parsed: &[Parsed], kinds: &[&str]) -> Vec<Resource> {
        let mut out = Vec::new();
        for p in parsed {
            for block in p.body.blocks() {
                let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
                let ("resource", [kind, name]) = (block.ident.as_str(), &labels[..]) else {
                    continue;
                };
                if !kinds.contains(kind) {
                    continue;
                }
                let src = self.src(p.index);
                let address = format!("{kind}.{name}");
                let mut policies = Vec::new();
                self.block_policies(&block.body, p.index, &address, None, &mut policies);
                let mut counts: HashMap<&str, usize> = HashMap::new();
                for nested in nested_blocks(&block.body) {
                    let n = counts.entry(nested.0).or_default();
                    let which = Some((nested.0.to_string(), *n));
                    *n += 1;
                    self.block_policies(nested.1, p.index, &address, which, &mut policies);
                }
                out.push(Resource {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    span: src.span(block.span()),
                    body: self.body_node(&block.body, p.index, src.span(block.span()), 0),
                    policies,
                });
            }
        }
        out
    }

    /// The `policy` argument of a body, resolved, into `out`.
    fn block_policies(
        &self,
        body: &Body,
        file: usize,
        address: &str,
        block: Option<(String, usize)>,
        out: &mut Vec<ResourcePolicy>,
    ) {
        let Some(attr) = body.get_attribute("policy") else {
            return;
        };
        let span = self.src(file).span(attr.value.span());
        let docs = match self.policy(&attr.value, file, address, 0) {
            Resolved::Policies(docs) => Ok(docs),
            Resolved::Error(e) => Err(e.message),
            Resolved::Unknown(reason) => Err(reason),
        };
        out.push(ResourcePolicy { block, span, docs });
    }

    /// A block's body as an object (see [`Resource::body`]).
    fn body_node(&self, body: &Body, file: usize, span: Span, depth: usize) -> Node {
        let src = self.src(file);
        let mut members: Vec<crate::tree::Member> = Vec::new();
        for attr in body.attributes() {
            let value = hcl::to_node(&attr.value, src, self, 0).unwrap_or_else(|e| {
                Node::unknown(src.span(attr.value.span()), Unknown::new(e.message))
            });
            members.push(crate::tree::Member {
                key: attr.key.as_str().to_string(),
                key_span: src.span(attr.key.span()),
                value,
            });
        }
        if depth < MAX_HOPS {
            for (name, nested, maybe, nested_span) in nested_blocks_spanned(body) {
                let mut node = self.body_node(nested, file, src.span(nested_span), depth + 1);
                if maybe {
                    node.mark_maybe();
                }
                match members.iter_mut().find(|m| m.key == name) {
                    Some(crate::tree::Member {
                        value:
                            Node {
                                value: Value::Array(items),
                                ..
                            },
                        ..
                    }) => items.push(node),
                    _ => members.push(crate::tree::Member {
                        key: name.to_string(),
                        key_span: node.span,
                        value: Node::new(node.span, Value::Array(vec![node])),
                    }),
                }
            }
        }
        Node::new(span, Value::Object(members))
    }

    /// The policy an expression in `policy = …` gives.
    fn policy(&self, expr: &Expression, file: usize, name: &str, hops: usize) -> Resolved {
        let src = self.src(file);
        if hops > MAX_HOPS {
            return Resolved::Unknown(format!("`{}` refers to itself", src.written(expr)));
        }
        let doc = |root: Node, embedded: Option<Decoded>| PolicyDoc {
            name: Some(name.to_string()),
            root,
            embedded: embedded.map(std::sync::Arc::new),
            origin: None,
            dialect: Dialect::TfObject,
        };
        let from = |r: Result<PolicyDoc, ExtractError>| match r {
            Ok(d) => Resolved::Policies(vec![d]),
            Err(e) => Resolved::Error(e),
        };
        match expr {
            Expression::Parenthesis(p) => self.policy(p.inner(), file, name, hops + 1),
            Expression::FuncCall(call) => {
                let fname = call.name.name.as_str();
                let args: Vec<&Expression> = call.args.iter().collect();
                match (fname, &args[..]) {
                    ("jsonencode", [arg]) => match hcl::to_node(arg, src, self, 0) {
                        Ok(mut root) if root.is_object() => {
                            mark_interpolations(&mut root);
                            Resolved::Policies(vec![doc(root, None)])
                        }
                        Ok(_) => Resolved::Unknown(format!(
                            "`jsonencode` of `{}` is not an object kmslint can read",
                            src.written(arg)
                        )),
                        Err(e) => Resolved::Error(ExtractError {
                            policy: None,
                            span: e.span,
                            message: e.message,
                        }),
                    },
                    ("templatefile" | "file", [path, ..]) => {
                        let template = fname == "templatefile";
                        match self.path_of(path, file).and_then(|p| self.load(&p)) {
                            Ok((text, base)) => from(template_policy(&text, base, name, template)),
                            Err(reason) => Resolved::Unknown(reason),
                        }
                    }
                    // `coalesce(var.policy, data.x.json)`: any argument that can be read is a
                    // policy the key may have.
                    ("coalesce" | "try", _) => {
                        let mut docs = Vec::new();
                        for arg in &args {
                            match self.policy(arg, file, name, hops + 1) {
                                Resolved::Policies(d) => docs.extend(d),
                                Resolved::Error(e) => return Resolved::Error(e),
                                Resolved::Unknown(_) => {}
                            }
                        }
                        if docs.is_empty() {
                            Resolved::Unknown(format!("policy comes from `{}`", src.written(expr)))
                        } else {
                            Resolved::Policies(docs)
                        }
                    }
                    _ => Resolved::Unknown(format!("policy comes from `{}`", src.written(expr))),
                }
            }
            Expression::String(_) => {
                let span = src.span(expr.span());
                from(
                    json_string_in(span, src)
                        .and_then(|d| parse_template_policy(Some(name.to_string()), d)),
                )
            }
            Expression::StringTemplate(t) => {
                if let Some(inner) = interpolation_only(t) {
                    return self.policy(inner, file, name, hops + 1);
                }
                let span = src.span(expr.span());
                from(
                    json_string_in(span, src)
                        .and_then(|d| parse_template_policy(Some(name.to_string()), d)),
                )
            }
            Expression::HeredocTemplate(_) => {
                let span = src.span(expr.span());
                from(parse_template_policy(
                    Some(name.to_string()),
                    heredoc(src, span),
                ))
            }
            Expression::Conditional(c) => {
                // `var.custom ? var.policy : data.x.json`: each branch that can be read.
                let mut docs = Vec::new();
                for branch in [&c.true_expr, &c.false_expr] {
                    if matches!(branch, Expression::Null(_)) {
                        continue;
                    }
                    match self.policy(branch, file, name, hops + 1) {
                        Resolved::Policies(d) => docs.extend(d),
                        Resolved::Error(e) => return Resolved::Error(e),
                        Resolved::Unknown(_) => {}
                    }
                }
                if docs.is_empty() {
                    Resolved::Unknown(format!("policy comes from `{}`", src.written(expr)))
                } else {
                    Resolved::Policies(docs)
                }
            }
            Expression::Traversal(t) => self.policy_reference(t, expr, file, name, hops),
            _ => Resolved::Unknown(format!("policy comes from `{}`", src.written(expr))),
        }
    }

    /// `data.aws_iam_policy_document.X.json`, `data.template_file.X.rendered`, `local.X`.
    fn policy_reference(
        &self,
        t: &hcl_edit::expr::Traversal,
        expr: &Expression,
        file: usize,
        name: &str,
        hops: usize,
    ) -> Resolved {
        let src = self.src(file);
        let unknown = || Resolved::Unknown(format!("policy comes from `{}`", src.written(expr)));
        let Expression::Variable(root) = &t.expr else {
            return unknown();
        };
        // `data.x[0].json` (a document with `count`): the index does not change the document.
        let path: Vec<&str> = t
            .operators
            .iter()
            .filter_map(|o| match o.value() {
                TraversalOperator::GetAttr(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        match (root.as_str(), &path[..]) {
            ("data", ["aws_iam_policy_document", doc, "json" | "minified_json"]) => {
                match self.index.documents.get(doc) {
                    Some(&(dfile, block)) => match document::build(self, dfile, block, hops + 1) {
                        Ok(root) => Resolved::Policies(vec![PolicyDoc {
                            name: Some(format!("{name} (data.aws_iam_policy_document.{doc})")),
                            root,
                            embedded: None,
                            origin: None,
                            dialect: Dialect::TfDocument,
                        }]),
                        Err(reason) => Resolved::Unknown(reason),
                    },
                    None => Resolved::Unknown(format!(
                        "`data.aws_iam_policy_document.{doc}` is not in this module"
                    )),
                }
            }
            ("data", ["template_file", tname, "rendered"]) => {
                let Some(&(tfile, block)) = self.index.template_files.get(tname) else {
                    return Resolved::Unknown(format!(
                        "`data.template_file.{tname}` is not in this module"
                    ));
                };
                let Some(attr) = block.body.get_attribute("template") else {
                    return Resolved::Unknown(format!(
                        "`data.template_file.{tname}` has no `template`"
                    ));
                };
                // `template = file("x.tpl")`: the file is the template that is rendered.
                match unwrap_interpolation(&attr.value) {
                    Expression::FuncCall(call) if call.name.name.as_str() == "file" => {
                        let Some(path) = call.args.iter().next() else {
                            return unknown();
                        };
                        match self.path_of(path, tfile).and_then(|p| self.load(&p)) {
                            Ok((text, base)) => match template_policy(&text, base, name, true) {
                                Ok(d) => Resolved::Policies(vec![d]),
                                Err(e) => Resolved::Error(e),
                            },
                            Err(reason) => Resolved::Unknown(reason),
                        }
                    }
                    _ => self.policy(&attr.value, tfile, name, hops + 1),
                }
            }
            ("local", [local]) => match self.index.locals.get(local) {
                Some(&(lfile, lexpr)) => self.policy(lexpr, lfile, name, hops + 1),
                None => Resolved::Unknown(format!("`local.{local}` is not in this module")),
            },
            ("var", _) => Resolved::Unknown(format!(
                "policy comes from `{}`, a variable",
                src.written(expr)
            )),
            ("module", _) => Resolved::Unknown(format!(
                "policy comes from `{}`, a module output",
                src.written(expr)
            )),
            _ => unknown(),
        }
    }

    /// The path a `templatefile`/`file` argument names: `${path.module}` is the module's
    /// directory; relative paths are relative to the working directory, as Terraform reads
    /// them.
    fn path_of(&self, expr: &Expression, file: usize) -> Result<PathBuf, String> {
        let src = self.src(file);
        let text = match expr {
            Expression::String(s) => s.value().clone(),
            Expression::StringTemplate(_) => {
                let written = src.written(expr);
                written.trim_matches('"').to_string()
            }
            _ => {
                return Err(format!(
                    "the template path `{}` is not known",
                    src.written(expr)
                ));
            }
        };
        let dir = self.dir.to_string_lossy();
        let replaced = text
            .replace("${path.module}", &dir)
            .replace("${path.root}", &dir)
            .replace("${path.cwd}", ".");
        if replaced.contains("${") {
            return Err(format!("the template path `{text}` is not known"));
        }
        let path = Path::new(&replaced);
        Ok(
            if path.is_absolute() || replaced.starts_with(dir.as_ref()) {
                path.to_path_buf()
            } else {
                // Terraform reads relative paths from the working directory; in a module that
                // is the root module's directory: the module's own directory is the best guess.
                self.dir.join(path)
            },
        )
    }

    /// Read a file into the module (once), returning its text and base offset.
    fn load(&self, path: &Path) -> Result<(String, u32), String> {
        if let Some((f, base)) = self
            .loaded
            .borrow()
            .iter()
            .find(|(f, _)| f.fs_path.as_deref() == Some(path))
        {
            return Ok((f.text.clone(), *base));
        }
        let file = self.loader.load(path)?;
        let text = file.text.clone();
        let base = *self.next_base.borrow();
        *self.next_base.borrow_mut() = base.saturating_add(text.len() as u32 + 1);
        self.loaded.borrow_mut().push((file, base));
        Ok((text, base))
    }

    /// The value of `local.NAME[.attr…]`, converted in the file that defines it.
    fn local(&self, name: &str, attrs: &[&str], depth: usize) -> Option<Result<Node, ParseError>> {
        let &(file, expr) = self.index.locals.get(name)?;
        if depth > MAX_HOPS {
            return None;
        }
        let node = match hcl::to_node(expr, self.src(file), self, depth + 1) {
            Ok(n) => n,
            Err(e) => return Some(Err(e)),
        };
        let mut current = node;
        for attr in attrs {
            current = current.get(attr)?.value.clone();
        }
        Some(Ok(current))
    }

    /// The module's document `NAME`, for `source_policy_documents` and the like.
    pub(super) fn document(&self, name: &str, hops: usize) -> Option<Result<Node, String>> {
        let &(file, block) = self.index.documents.get(name)?;
        Some(document::build(self, file, block, hops + 1))
    }

    pub(super) fn source(&self, file: usize) -> Source<'a> {
        self.src(file)
    }
}

/// The nested blocks of a body by name: a `dynamic "NAME"` block stands for its `content`.
fn nested_blocks(body: &Body) -> Vec<(&str, &Body)> {
    nested_blocks_spanned(body)
        .into_iter()
        .map(|(name, body, _, _)| (name, body))
        .collect()
}

/// [`nested_blocks`], with whether each is a `dynamic` block's content (maybe present) and
/// the span of the block.
fn nested_blocks_spanned(body: &Body) -> Vec<(&str, &Body, bool, Option<std::ops::Range<usize>>)> {
    body.blocks()
        .filter_map(|b| {
            let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
            match (b.ident.as_str(), &labels[..]) {
                ("dynamic", [name]) => {
                    let content = b.body.get_blocks("content").next()?;
                    Some((*name, &content.body, true, b.span()))
                }
                (name, _) => Some((name, &b.body, false, b.span())),
            }
        })
        .collect()
}

/// The expression inside an interpolation-only string (`"${file("x")}"`), or the expression.
fn unwrap_interpolation(expr: &Expression) -> &Expression {
    match expr {
        Expression::StringTemplate(t) => interpolation_only(t).map_or(expr, unwrap_interpolation),
        Expression::Parenthesis(p) => unwrap_interpolation(p.inner()),
        _ => expr,
    }
}

/// The policy a template file (or a plain file) holds: `text`, read into the module at
/// `base`.
fn template_policy(
    text: &str,
    base: u32,
    name: &str,
    template: bool,
) -> Result<PolicyDoc, ExtractError> {
    let decoded = Decoded::from_parts(
        text.to_string(),
        (0..=text.len() as u32).map(|i| base + i).collect(),
        Encoding::Lines {
            indent: String::new(),
        },
    );
    let mut doc = if template {
        parse_template_policy(Some(name.to_string()), decoded)?
    } else {
        parse_policy(Some(name.to_string()), decoded)?
    };
    // The template is a file of its own: its spans need no decoded view, and its help
    // texts use plain JSON (the module's data sources are not visible in it).
    if let Some(d) = doc.embedded.take() {
        shift(&mut doc.root, &d);
    }
    doc.dialect = Dialect::Json;
    Ok(doc)
}

/// Move a tree parsed from a decoded text to the coordinates its offsets map to.
fn shift(node: &mut Node, decoded: &Decoded) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span = decoded.map(n.span);
        match &mut n.value {
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(members) => {
                for m in members.iter_mut() {
                    m.key_span = decoded.map(m.key_span);
                }
                stack.extend(members.iter_mut().map(|m| &mut m.value));
            }
            _ => {}
        }
    }
}

impl Resolve for Module<'_> {
    fn resolve(
        &self,
        expr: &Expression,
        src: Source<'_>,
        depth: usize,
    ) -> Option<Result<Node, ParseError>> {
        let span = src.span(expr.span());
        match expr {
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    return None;
                };
                if root.as_str() != "local" {
                    return None;
                }
                let path = traversal_path(t.operators.iter().map(|o| o.value()))?;
                let (name, attrs) = path.split_first()?;
                // Findings point at the value where the local defines it.
                self.local(name, attrs, depth)
            }
            Expression::Conditional(c) => {
                // `cond ? [statement] : []`: the parts of either branch may be present.
                let a = hcl::to_node(&c.true_expr, src, self, depth + 1);
                let b = hcl::to_node(&c.false_expr, src, self, depth + 1);
                let (a, b) = match (a, b) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(e), _) | (_, Err(e)) => return Some(Err(e)),
                };
                Some(Ok(either(span, a, b, src.written(expr))))
            }
            Expression::FuncCall(call) => {
                let fname = call.name.name.as_str();
                match fname {
                    // Lists joined or converted: the elements of each argument.
                    "concat" | "tolist" | "toset" | "flatten" | "compact" => {
                        let mut items = Vec::new();
                        for arg in call.args.iter() {
                            let node = match hcl::to_node(arg, src, self, depth + 1) {
                                Ok(n) => n,
                                Err(e) => return Some(Err(e)),
                            };
                            match node.value {
                                Value::Array(inner) => items.extend(inner),
                                Value::Null if fname == "compact" => {}
                                _ => items.push(node),
                            }
                        }
                        Some(Ok(Node::new(span, Value::Array(items))))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// The value of a conditional with branches `a` and `b`: equal branches are that value; a
/// `null` or empty branch leaves the other one maybe present; two lists are the elements of
/// both, each maybe present; anything else is unknown.
fn either(span: Span, a: Node, b: Node, written: &str) -> Node {
    if a.same_value(&b) {
        return a;
    }
    let empty = |n: &Node| match &n.value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.is_empty(),
        _ => false,
    };
    let (a_empty, b_empty) = (empty(&a), empty(&b));
    match (a, b) {
        (mut n, _) if b_empty => {
            n.mark_maybe();
            n
        }
        (_, mut n) if a_empty => {
            n.mark_maybe();
            n
        }
        (
            Node {
                value: Value::Array(x),
                ..
            },
            Node {
                value: Value::Array(y),
                ..
            },
        ) => {
            let mut items: Vec<Node> = x.into_iter().chain(y).collect();
            for item in &mut items {
                item.mark_maybe();
            }
            Node::new(span, Value::Array(items))
        }
        _ => Node::unknown(span, Unknown::new(written)),
    }
}
