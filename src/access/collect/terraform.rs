//! Terraform modules (`.tf` files read together): keys, IAM identities, their policies and
//! groups, and grants.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::{
    Attached, Bindings, Identities, Reference, Source, copy_doc, default_key_policy, text_of,
    unknown_document,
};
use crate::access::{Declared, Document, Grant, Identity, IdentityKind, Inventory, Key};
use crate::extract::PolicyDoc;
use crate::extract::terraform::{
    KEY_RESOURCES, Loader, ModuleExtract, ModuleFile, Resource, extract_resources,
};
use crate::tree::{Dialect, Node, Span, Value};

/// The resource types a module is read for.
pub const RESOURCE_TYPES: &[&str] = &[
    "aws_kms_key",
    "aws_kms_key_policy",
    "aws_kms_replica_key",
    "aws_kms_replica_external_key",
    "aws_kms_external_key",
    "aws_kms_alias",
    "aws_kms_grant",
    "aws_iam_user",
    "aws_iam_role",
    "aws_iam_group",
    "aws_iam_user_policy",
    "aws_iam_role_policy",
    "aws_iam_group_policy",
    "aws_iam_policy",
    "aws_iam_user_policy_attachment",
    "aws_iam_role_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_group_membership",
    "aws_iam_user_group_membership",
];

/// What a Terraform module (its `.tf` files; `dir` its directory, `loader` reads the template
/// files it names) says about access: its keys (each with its key policy, from the key's
/// `policy` or an `aws_kms_key_policy`, or the default key policy AWS gives a key created
/// without one), its IAM users, roles and groups with their policies (`aws_iam_user_policy`,
/// `aws_iam_role_policy`, `aws_iam_group_policy`, a role's `inline_policy` blocks,
/// `aws_iam_policy` attached by `aws_iam_*_policy_attachment`, `aws_iam_policy_attachment` or a
/// role's `managed_policy_arns`), group membership (`aws_iam_group_membership`,
/// `aws_iam_user_group_membership`) and grants (`aws_kms_grant`).
///
/// Policies are read as key policies are: `jsonencode`, heredocs and quoted JSON,
/// `data "aws_iam_policy_document"`, `templatefile`, locals. A key is named by its address
/// (`aws_kms_key.a`); its `refs` are the references that name it (`aws_kms_key.a.arn`,
/// `.key_id`, `.id`, each also as `${…}` inside a string, and `aws_kms_alias.x.arn` and
/// `.target_key_arn` of the aliases that target it). Its ARN and account are unknown.
///
/// An identity's ARN is `arn:aws:iam::(current account):role/NAME` (see
/// [`crate::tree::CURRENT_ACCOUNT`]) with its `path`; a name the module does not know (a
/// variable, a role without `name`) has `${…}` parts. A policy attached by an ARN the module
/// does not define (an AWS managed policy) is a policy whose statements are unknown. A
/// principal that refers to an identity of the module (`aws_iam_user.bob.arn`, also inside a
/// string) is, in the key and identity policies returned, that identity's ARN when its name is
/// known. A grant's
/// key and grantee are ARNs or references as written (`aws_kms_key.a.key_id`), a grantee
/// that is an identity of the module its ARN.
pub fn terraform(files: Vec<ModuleFile>, dir: &Path, loader: &dyn Loader) -> Inventory {
    let (mut module, resources) = extract_resources(files, dir, loader, RESOURCE_TYPES);
    let policies = std::mem::take(&mut module.found.policies);
    from_module(&module, policies, &resources)
}

/// [`terraform`] for a module already read by [`extract_resources`] with [`RESOURCE_TYPES`]:
/// `policies` are its key policies (`module.found.policies`, taken from it).
pub fn from_module(
    module: &ModuleExtract,
    policies: Vec<PolicyDoc>,
    resources: &[Resource],
) -> Inventory {
    let reader = Reader {
        file_text: Arc::from(module.combined_text()),
        module,
        resources,
    };
    let documents = policies
        .iter()
        .map(|doc| Document::new(copy_doc(doc), Arc::clone(&reader.file_text)))
        .collect();
    let keys = reader.keys(policies);
    let (identities, bindings, declared) = reader.identities();
    let grants = reader.grants(&declared);
    let mut inventory = Inventory {
        keys,
        identities,
        grants,
        policies: documents,
    };
    bindings.bind_inventory(&mut inventory);
    inventory
}

struct Reader<'a> {
    file_text: Arc<str>,
    module: &'a ModuleExtract,
    resources: &'a [Resource],
}

/// The reference a resolved value is, as written (`aws_kms_key.a.arn`), or its text.
fn reference_text(node: &Node) -> String {
    match &node.value {
        Value::Unknown(u) if u.partial.is_none() => u.description.clone(),
        _ => text_of(node),
    }
}

/// The resource a reference names and the attribute it reads: `aws_iam_user.a.name` gives
/// (`aws_iam_user.a`, `name`).
fn referenced(node: &Node) -> Option<(String, &str)> {
    let Value::Unknown(u) = &node.value else {
        return None;
    };
    if u.partial.is_some() {
        return None;
    }
    let mut parts = u.description.splitn(3, '.');
    let (kind, name, attr) = (parts.next()?, parts.next()?, parts.next()?);
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    (plain(kind) && plain(name) && plain(attr)).then(|| (format!("{kind}.{name}"), attr))
}

fn attr<'n>(r: &'n Resource, name: &str) -> Option<&'n Node> {
    r.body.get(name).map(|m| &m.value)
}

fn address(r: &Resource) -> String {
    format!("{}.{}", r.kind, r.name)
}

impl Reader<'_> {
    /// The header of a resource block, `resource "aws_iam_group" "x"` up to its `{`.
    fn header(&self, r: &Resource) -> Span {
        let end = self.module.locate(r.span).and_then(|(i, local)| {
            let text = self.module.files.get(i)?.text.get(local.start as usize..)?;
            let end = text.find('{')?;
            Some(r.span.start + text[..end].trim_end().len() as u32)
        });
        Span::new(r.span.start, end.unwrap_or(r.span.start + 1))
    }

    /// The file a span of the module is in, as shown.
    fn path_at(&self, span: Span) -> String {
        self.module
            .locate(span)
            .map(|(i, _)| self.module.files[i].display.clone())
            .unwrap_or_default()
    }

    fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'s Resource> + 's {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    fn keys(&self, policies: Vec<PolicyDoc>) -> Vec<Key> {
        let mut by_origin: HashMap<Span, Vec<PolicyDoc>> = HashMap::new();
        for doc in policies {
            if let Some(origin) = doc.origin {
                by_origin.entry(origin).or_default().push(doc);
            }
        }
        // `aws_kms_key_policy` resources: the key each sets the policy of.
        let mut attached: HashMap<String, Span> = HashMap::new();
        for r in self.of_kind("aws_kms_key_policy") {
            if let Some((key, _)) = attr(r, "key_id").and_then(referenced) {
                attached.insert(key, r.span);
            }
        }
        let mut keys = Vec::new();
        for r in self.resources {
            if !KEY_RESOURCES.contains(&r.kind.as_str()) || r.kind == "aws_kms_key_policy" {
                continue;
            }
            let name = address(r);
            let mut refs = Vec::new();
            for a in ["arn", "key_id", "id"] {
                refs.push(format!("{name}.{a}"));
                refs.push(format!("${{{name}.{a}}}"));
            }
            for alias in self.of_kind("aws_kms_alias") {
                if attr(alias, "target_key_id")
                    .and_then(referenced)
                    .is_some_and(|(key, _)| key == name)
                {
                    let alias = address(alias);
                    for a in ["arn", "target_key_arn"] {
                        refs.push(format!("{alias}.{a}"));
                        refs.push(format!("${{{alias}.{a}}}"));
                    }
                }
            }
            let origin = attached.get(&name).copied().unwrap_or(r.span);
            let docs: Vec<Document> = match by_origin.remove(&origin) {
                Some(docs) => docs
                    .into_iter()
                    .map(|d| Document::new(d, Arc::clone(&self.file_text)))
                    .collect(),
                // No policy: AWS gives the key its default policy.
                None if origin == r.span && attr(r, "policy").is_none() => {
                    vec![default_key_policy(
                        &name,
                        "${data.aws_caller_identity.current.account_id}",
                    )]
                }
                // A policy kmslint cannot read gives no key: `check` names it among the keys
                // not analysed.
                None => Vec::new(),
            };
            for policy in docs {
                keys.push(Key {
                    name: name.clone(),
                    path: self.path_at(r.span),
                    arn: None,
                    refs: refs.clone(),
                    policy,
                    account: None,
                });
            }
        }
        keys
    }

    /// The identities, the ARNs of those the module declares for the references to them,
    /// and the ARN of each by address.
    fn identities(&self) -> (Vec<Identity>, Bindings, HashMap<String, String>) {
        let mut ids = Identities::default();
        for r in self.resources {
            let Some(kind) = identity_kind(&r.kind) else {
                continue;
            };
            let address = address(r);
            let name = match (attr(r, "name"), attr(r, "name_prefix")) {
                (Some(n), _) => text_of(n),
                (None, Some(prefix)) => format!("{}${{…}}", text_of(prefix)),
                // Terraform generates the name.
                (None, None) => format!("${{{address}.name}}"),
            };
            let path = attr(r, "path").map_or_else(|| "/".to_string(), text_of);
            let declaration = Declared {
                id: r.name.clone(),
                name: attr(r, "name").and_then(Node::as_str).map(str::to_string),
                span: self.header(r),
            };
            ids.declare(kind, &address, &name, &path, declaration);
        }
        let mut managed: HashMap<String, Vec<Arc<Attached>>> = HashMap::new();
        for r in self.of_kind("aws_iam_policy") {
            let name = self.policy_name(r);
            managed.insert(address(r), self.attached(r, &name, None));
        }
        for r in self.resources {
            let kind = r.kind.as_str();
            match kind {
                "aws_iam_user" | "aws_iam_role" | "aws_iam_group" => {
                    let Some(ikind) = identity_kind(kind) else {
                        continue;
                    };
                    let me = || Reference::Declared(address(r));
                    // A role's `inline_policy` blocks.
                    let blocks = attr(r, "inline_policy").map_or(&[][..], Node::one_or_many);
                    for (i, block) in blocks.iter().enumerate() {
                        let name = block.get("name").map_or_else(
                            || format!("{}.inline_policy[{i}]", address(r)),
                            |n| text_of(&n.value),
                        );
                        for p in self.attached(r, &name, Some(("inline_policy", i))) {
                            ids.attach(ikind, me(), &p);
                        }
                    }
                    if let Some(arns) = attr(r, "managed_policy_arns") {
                        for arn in arns.one_or_many() {
                            for p in self.policy_at(arn, &managed) {
                                ids.attach(ikind, me(), &p);
                            }
                        }
                    }
                }
                "aws_iam_user_policy" | "aws_iam_role_policy" | "aws_iam_group_policy" => {
                    let (who, ikind) = match kind {
                        "aws_iam_user_policy" => ("user", IdentityKind::User),
                        "aws_iam_role_policy" => ("role", IdentityKind::Role),
                        _ => ("group", IdentityKind::Group),
                    };
                    let Some(target) = attr(r, who) else { continue };
                    let target = self.reference(target, ikind);
                    let name = self.policy_name(r);
                    for p in self.attached(r, &name, None) {
                        ids.attach(ikind, target.clone(), &p);
                    }
                }
                "aws_iam_user_policy_attachment"
                | "aws_iam_role_policy_attachment"
                | "aws_iam_group_policy_attachment" => {
                    let (who, ikind) = match kind {
                        "aws_iam_user_policy_attachment" => ("user", IdentityKind::User),
                        "aws_iam_role_policy_attachment" => ("role", IdentityKind::Role),
                        _ => ("group", IdentityKind::Group),
                    };
                    let (Some(target), Some(arn)) = (attr(r, who), attr(r, "policy_arn")) else {
                        continue;
                    };
                    let target = self.reference(target, ikind);
                    for p in self.policy_at(arn, &managed) {
                        ids.attach(ikind, target.clone(), &p);
                    }
                }
                "aws_iam_policy_attachment" => {
                    let Some(arn) = attr(r, "policy_arn") else {
                        continue;
                    };
                    let policies = self.policy_at(arn, &managed);
                    for (list, ikind) in [
                        ("users", IdentityKind::User),
                        ("roles", IdentityKind::Role),
                        ("groups", IdentityKind::Group),
                    ] {
                        for who in attr(r, list).map_or(&[][..], Node::one_or_many) {
                            let who = self.reference(who, ikind);
                            for p in &policies {
                                ids.attach(ikind, who.clone(), p);
                            }
                        }
                    }
                }
                "aws_iam_group_membership" => {
                    let Some(group) = attr(r, "group") else {
                        continue;
                    };
                    let group = self.reference(group, IdentityKind::Group);
                    for user in attr(r, "users").map_or(&[][..], Node::one_or_many) {
                        ids.join(self.reference(user, IdentityKind::User), group.clone());
                    }
                }
                "aws_iam_user_group_membership" => {
                    let Some(user) = attr(r, "user") else {
                        continue;
                    };
                    let user = self.reference(user, IdentityKind::User);
                    for group in attr(r, "groups").map_or(&[][..], Node::one_or_many) {
                        ids.join(user.clone(), self.reference(group, IdentityKind::Group));
                    }
                }
                _ => {}
            }
        }
        let declared = ids.declared();
        let bindings = ids.bindings(Source::Terraform);
        (ids.into_identities(), bindings, declared)
    }

    /// How reasons name a policy resource: its `name`, else its address.
    fn policy_name(&self, r: &Resource) -> String {
        match attr(r, "name").map(|n| &n.value) {
            Some(Value::String(s)) => s.clone(),
            _ => address(r),
        }
    }

    /// The documents of a resource's `policy` (or of one of its nested blocks'), each shared
    /// by the identities it is attached to: what it may be, or a document whose statements
    /// are unknown when it cannot be read.
    fn attached(
        &self,
        r: &Resource,
        name: &str,
        block: Option<(&str, usize)>,
    ) -> Vec<Arc<Attached>> {
        let Some(policy) = r
            .policies
            .iter()
            .find(|p| p.block.as_ref().map(|(b, i)| (b.as_str(), *i)) == block)
        else {
            return Vec::new();
        };
        let doc_name = match block {
            Some((b, i)) => format!("{}.{b}[{i}]", address(r)),
            None => address(r),
        };
        let docs = match &policy.docs {
            Ok(docs) => docs.iter().map(super::copy_doc).collect(),
            Err(why) => vec![unknown_document(
                &doc_name,
                policy.span,
                why,
                Dialect::TfObject,
            )],
        };
        docs.into_iter()
            .map(|doc| {
                Arc::new(Attached {
                    name: name.to_string(),
                    path: self.path_at(doc.root.span),
                    doc,
                    file_text: Arc::clone(&self.file_text),
                })
            })
            .collect()
    }

    /// The policies a `policy_arn` names: an `aws_iam_policy` of the module, or a policy
    /// whose statements are unknown.
    fn policy_at(
        &self,
        arn: &Node,
        managed: &HashMap<String, Vec<Arc<Attached>>>,
    ) -> Vec<Arc<Attached>> {
        if let Some((policy, "arn" | "id")) = referenced(arn)
            && let Some(policies) = managed.get(&policy)
        {
            return policies.clone();
        }
        let text = reference_text(arn);
        let why = format!("the policy `{text}` is not in this module");
        vec![Arc::new(Attached {
            name: text.clone(),
            path: self.path_at(arn.span),
            doc: unknown_document(&text, arn.span, &why, Dialect::TfObject),
            file_text: Arc::clone(&self.file_text),
        })]
    }

    /// How a resolved value names an identity of `kind`: a reference to one the module
    /// declares (`aws_iam_user.a.name`, `.id`, `.arn`), or a name.
    fn reference(&self, node: &Node, kind: IdentityKind) -> Reference {
        if let Some((resource, "name" | "id" | "arn" | "unique_id")) = referenced(node)
            && identity_kind(resource.split('.').next().unwrap_or_default()) == Some(kind)
            && self.resources.iter().any(|r| address(r) == resource)
        {
            return Reference::Declared(resource);
        }
        Reference::Name(text_of(node))
    }

    fn grants(&self, declared: &HashMap<String, String>) -> Vec<Grant> {
        let mut out = Vec::new();
        for r in self.of_kind("aws_kms_grant") {
            let principal = |name: &str| {
                attr(r, name).map(|n| match referenced(n) {
                    Some((resource, "arn")) => declared
                        .get(&resource)
                        .map_or_else(|| reference_text(n), String::clone),
                    _ => reference_text(n),
                })
            };
            let Some(grantee) = principal("grantee_principal") else {
                continue;
            };
            let Some(key) = attr(r, "key_id").map(reference_text) else {
                continue;
            };
            let operations = attr(r, "operations")
                .map_or(&[][..], Node::one_or_many)
                .iter()
                .map(reference_text)
                .collect();
            let mut constraints = Vec::new();
            for block in attr(r, "constraints").map_or(&[][..], Node::one_or_many) {
                for (hcl, name) in [
                    ("encryption_context_equals", "EncryptionContextEquals"),
                    ("encryption_context_subset", "EncryptionContextSubset"),
                ] {
                    if let Some(m) = block.get(hcl) {
                        constraints.push(format!("{name} {}", context_text(&m.value)));
                    }
                }
            }
            let name = match attr(r, "name").map(|n| &n.value) {
                Some(Value::String(s)) => s.clone(),
                _ => address(r),
            };
            out.push(Grant {
                name,
                key,
                grantee,
                operations,
                retiring: principal("retiring_principal"),
                constraints,
                path: self.path_at(r.span),
            });
        }
        out
    }
}

/// An encryption context map as compact JSON (`{"Department":"IT"}`); an unknown value is
/// `${…}` as written.
fn context_text(node: &Node) -> String {
    match &node.value {
        Value::Object(members) => {
            let pairs: Vec<String> = members
                .iter()
                .map(|m| {
                    format!(
                        "{}:{}",
                        serde_json::Value::String(m.key.clone()),
                        serde_json::Value::String(text_of(&m.value))
                    )
                })
                .collect();
            format!("{{{}}}", pairs.join(","))
        }
        _ => text_of(node),
    }
}

/// The kind of identity a resource type declares.
fn identity_kind(kind: &str) -> Option<IdentityKind> {
    match kind {
        "aws_iam_user" => Some(IdentityKind::User),
        "aws_iam_role" => Some(IdentityKind::Role),
        "aws_iam_group" => Some(IdentityKind::Group),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::terraform::NoFiles;
    use crate::tree::CURRENT_ACCOUNT;

    fn module(files: &[(&str, &str)]) -> Inventory {
        let files = files
            .iter()
            .map(|(name, text)| ModuleFile {
                display: name.to_string(),
                fs_path: None,
                text: text.to_string(),
            })
            .collect();
        terraform(files, Path::new("."), &NoFiles)
    }

    fn arn(kind: &str, name: &str) -> String {
        format!("arn:aws:iam::{CURRENT_ACCOUNT}:{kind}/{name}")
    }

    fn identity<'a>(inv: &'a Inventory, kind: IdentityKind, arn: &str) -> &'a Identity {
        inv.identities
            .iter()
            .find(|i| i.kind == kind && i.arn == arn)
            .unwrap_or_else(|| panic!("no {kind:?} {arn} in {:#?}", inv.identities))
    }

    fn policy_names(i: &Identity) -> Vec<&str> {
        i.policies.iter().map(|p| p.name.as_str()).collect()
    }

    /// The `Resource` entries of a policy's statements, as the text an evaluator compares.
    fn resources(doc: &Document) -> Vec<String> {
        doc.doc
            .root
            .get("Statement")
            .unwrap()
            .value
            .one_or_many()
            .iter()
            .flat_map(|st| st.get("Resource").unwrap().value.one_or_many())
            .map(reference_text)
            .collect()
    }

    #[test]
    fn the_seed_module_gives_three_keys_four_users_and_a_group() {
        let inv = module(&[
            (
                "keys.tf",
                include_str!("../../../tests/explain/seed-tf/keys.tf"),
            ),
            (
                "users.tf",
                include_str!("../../../tests/explain/seed-tf/users.tf"),
            ),
        ]);
        let keys: Vec<(&str, &str)> = inv
            .keys
            .iter()
            .map(|k| (k.name.as_str(), k.path.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("aws_kms_key.cmk_a", "keys.tf"),
                ("aws_kms_key.cmk_b", "keys.tf"),
                ("aws_kms_key.cmk_c", "keys.tf"),
            ]
        );
        let a = &inv.keys[0];
        for r in [
            "aws_kms_key.cmk_a.arn",
            "${aws_kms_key.cmk_a.arn}",
            "aws_kms_key.cmk_a.key_id",
            "aws_kms_alias.cmk_a.arn",
        ] {
            assert!(a.is_named_by(r), "{r}");
        }
        assert_eq!(inv.keys[1].policy.doc.dialect, Dialect::TfDocument);
        // The heredoc's text is the policy's own.
        assert!(inv.keys[2].policy.text().trim_start().starts_with('{'));

        assert_eq!(inv.identities.len(), 5);
        let alice = identity(&inv, IdentityKind::User, &arn("user", "Alice"));
        assert_eq!(policy_names(alice), ["alice-cmk-a"]);
        assert_eq!(resources(&alice.policies[0].doc), ["aws_kms_key.cmk_a.arn"]);
        assert_eq!(alice.policies[0].path, "users.tf");
        let bob = identity(&inv, IdentityKind::User, &arn("user", "Bob"));
        assert_eq!(policy_names(bob), ["bob-reports"]);
        assert!(bob.groups.is_empty());
        // References to the module's users are their ARNs, in any syntax.
        assert_eq!(
            super::super::statement_principals(&inv.keys[1], 0),
            [arn("user", "Bob"), arn("user", "Charlie")]
        );
        assert_eq!(
            super::super::statement_principals(&inv.keys[2], 0),
            [arn("user", "Alice")]
        );
        let charlie = identity(&inv, IdentityKind::User, &arn("user", "Charlie"));
        assert_eq!(
            policy_names(charlie),
            ["charlie-encrypt-cmk-a", "cmk-b-use"]
        );
        assert_eq!(
            resources(&charlie.policies[1].doc),
            ["aws_kms_key.cmk_b.arn"]
        );
        let group = identity(&inv, IdentityKind::Group, &arn("group", "cmk-b-users"));
        assert_eq!(policy_names(group), ["cmk-b-use"]);
        let david = identity(&inv, IdentityKind::User, &arn("user", "David"));
        assert!(david.policies.is_empty());
        assert_eq!(david.groups, [arn("group", "cmk-b-users")]);
        assert!(inv.grants.is_empty());
    }

    #[test]
    fn grants_name_their_key_grantee_operations_and_constraints() {
        let inv = module(&[(
            "main.tf",
            r#"
resource "aws_kms_key" "k" {}
resource "aws_iam_role" "app" {
  name = "app"
}
resource "aws_kms_grant" "g" {
  name              = "app-decrypt"
  key_id            = aws_kms_key.k.key_id
  grantee_principal = aws_iam_role.app.arn
  operations        = ["Encrypt", "Decrypt"]
  constraints {
    encryption_context_equals = {
      Department = "IT"
    }
  }
}
resource "aws_kms_grant" "other" {
  key_id             = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  grantee_principal  = var.grantee
  retiring_principal = "arn:aws:iam::111122223333:role/retirer"
  operations         = ["GenerateDataKey"]
}
"#,
        )]);
        assert_eq!(inv.grants.len(), 2);
        let g = &inv.grants[0];
        assert_eq!(g.name, "app-decrypt");
        assert_eq!(g.key, "aws_kms_key.k.key_id");
        assert!(inv.keys[0].is_named_by(&g.key));
        assert_eq!(g.grantee, arn("role", "app"));
        assert_eq!(g.operations, ["Encrypt", "Decrypt"]);
        assert_eq!(
            g.constraints,
            [r#"EncryptionContextEquals {"Department":"IT"}"#]
        );
        assert_eq!((g.retiring.as_deref(), g.path.as_str()), (None, "main.tf"));
        let other = &inv.grants[1];
        assert_eq!(other.name, "aws_kms_grant.other");
        assert_eq!(other.grantee, "var.grantee");
        assert_eq!(
            other.retiring.as_deref(),
            Some("arn:aws:iam::111122223333:role/retirer")
        );
        assert!(other.constraints.is_empty());
        // Without `policy`, the key has the default key policy.
        assert_eq!(
            inv.keys[0].policy.doc.name.as_deref(),
            Some("aws_kms_key.k (default key policy)")
        );
    }

    #[test]
    fn roles_with_inline_policies_managed_arns_paths_and_generated_names() {
        let inv = module(&[(
            "main.tf",
            r#"
locals {
  use = ["kms:Encrypt", "kms:Decrypt"]
}
resource "aws_iam_role" "app" {
  name = "app-${var.env}"
  path = "/svc/"
  inline_policy {
    name = "use"
    policy = jsonencode({
      Statement = [{ Effect = "Allow", Action = local.use, Resource = "*" }]
    })
  }
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", aws_iam_policy.p.arn]
}
resource "aws_iam_role" "generated" {
  name_prefix = "gen-"
}
resource "aws_iam_role" "unnamed" {}
resource "aws_iam_policy" "p" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "${aws_kms_key.k.arn}"}]}
EOF
}
resource "aws_iam_role_policy_attachment" "unnamed" {
  role       = aws_iam_role.unnamed.name
  policy_arn = var.policy_arn
}
"#,
        )]);
        let app = identity(&inv, IdentityKind::Role, &arn("role", "svc/app-${var.env}"));
        assert_eq!(
            policy_names(app),
            [
                "use",
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "aws_iam_policy.p"
            ]
        );
        let statement = &app.policies[0].doc.doc.root.get("Statement").unwrap().value;
        let actions = &statement.one_or_many()[0].get("Action").unwrap().value;
        assert_eq!(actions.one_or_many().len(), 2);
        assert!(app.policies[1].doc.policy(&Default::default()).open);
        assert_eq!(resources(&app.policies[2].doc), ["${aws_kms_key.k.arn}"]);
        identity(&inv, IdentityKind::Role, &arn("role", "gen-${…}"));
        let unnamed = identity(
            &inv,
            IdentityKind::Role,
            &arn("role", "${aws_iam_role.unnamed.name}"),
        );
        assert_eq!(policy_names(unnamed), ["var.policy_arn"]);
        assert!(unnamed.policies[0].doc.policy(&Default::default()).open);
    }

    #[test]
    fn identity_policies_and_memberships_of_every_kind() {
        let inv = module(&[
            (
                "iam.tf",
                r#"
resource "aws_iam_user" "u" {
  name = "u"
}
resource "aws_iam_group" "g" {
  name = "g"
}
resource "aws_iam_group_policy" "g" {
  group  = aws_iam_group.g.id
  policy = data.aws_iam_policy_document.d.json
}
resource "aws_iam_role_policy" "r" {
  name   = "r-policy"
  role   = "external-role"
  policy = file("policy.json")
}
resource "aws_iam_policy" "shared" {
  name   = "shared"
  policy = jsonencode({ Statement = [] })
}
resource "aws_iam_policy_attachment" "shared" {
  name       = "shared"
  users      = [aws_iam_user.u.name]
  roles      = ["external-role"]
  groups     = [aws_iam_group.g.name]
  policy_arn = aws_iam_policy.shared.arn
}
resource "aws_iam_user_group_membership" "u" {
  user   = aws_iam_user.u.name
  groups = [aws_iam_group.g.name, "elsewhere"]
}
"#,
            ),
            (
                "docs.tf",
                r#"
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
  }
}
"#,
            ),
        ]);
        let u = identity(&inv, IdentityKind::User, &arn("user", "u"));
        assert_eq!(policy_names(u), ["shared"]);
        assert_eq!(u.groups, [arn("group", "g"), arn("group", "elsewhere")]);
        let g = identity(&inv, IdentityKind::Group, &arn("group", "g"));
        assert_eq!(policy_names(g), ["aws_iam_group_policy.g", "shared"]);
        assert_eq!(g.policies[0].path, "docs.tf");
        let r = identity(&inv, IdentityKind::Role, &arn("role", "external-role"));
        assert_eq!(policy_names(r), ["r-policy", "shared"]);
        // `file(...)` is not read here: a policy whose statements are unknown.
        assert!(r.policies[0].doc.policy(&Default::default()).open);
        assert_eq!(r.policies[0].path, "iam.tf");
    }

    #[test]
    fn a_key_policy_resource_sets_its_keys_policy() {
        let inv = module(&[(
            "main.tf",
            r#"
resource "aws_kms_key" "k" {}
resource "aws_kms_key_policy" "k" {
  key_id = aws_kms_key.k.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "kms:Decrypt", Resource = "*" }]
  })
}
resource "aws_kms_key" "unreadable" {
  policy = var.policy
}
"#,
        )]);
        assert_eq!(inv.keys.len(), 1);
        assert_eq!(inv.keys[0].name, "aws_kms_key.k");
        assert_eq!(
            inv.keys[0].policy.doc.name.as_deref(),
            Some("aws_kms_key_policy.k")
        );
    }
}
