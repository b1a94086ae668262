//! CloudFormation templates (JSON and YAML): keys, IAM identities, their policies and groups.

use std::collections::HashMap;
use std::sync::Arc;

use super::{
    Attached, Bindings, Identities, Reference, Source, copy_doc, default_key_policy, text_of,
    unknown_document,
};
use crate::access::{Declared, Document, Identity, IdentityKind, Inventory, Key};
use crate::extract::cfn::{self, Syntax, Template};
use crate::extract::{Extracted, PolicyDoc};
use crate::tree::{Dialect, Node, Span, Value, json, yaml};

/// The key resource types.
const KEY_TYPES: &[&str] = &["AWS::KMS::Key", "AWS::KMS::ReplicaKey"];

/// What a template at `path` (its text `text`, written in `syntax`) says about access: its
/// keys (each with its key policy, or the default key policy AWS gives a key created without
/// one), its IAM users, roles and groups with their inline policies (`Policies`), the managed
/// policies of the template they use (`ManagedPolicyArns`), the `AWS::IAM::Policy` and
/// `AWS::IAM::ManagedPolicy` resources attached to them (`Roles`, `Users`, `Groups`), and
/// group membership (`AWS::IAM::UserToGroupAddition`, a user's `Groups`).
///
/// A key is named as diagnostics name its policy (`Resources.CmkA`); its `refs` are how an
/// identity policy's `Resource` names it: `CmkA.Arn` for `Fn::GetAtt` (in any syntax),
/// `${CmkA.Arn}` in a computed string, the `Fn::Sub` key ARN built from its `Ref`
/// (`arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${CmkA}`), and the alias ARNs of the
/// `AWS::KMS::Alias` resources that target it. Its ARN and account are unknown (a stack's).
///
/// An identity's ARN is `arn:aws:iam::(current account):user/NAME` (see
/// [`crate::tree::CURRENT_ACCOUNT`]): the account the stack deploys into, whatever it is. NAME
/// is its `UserName`, `RoleName` or `GroupName`, or its logical id when it has none; a name
/// the template takes from a parameter is `${Parameter}`. A principal that refers to an
/// identity of the template (`!GetAtt Bob.Arn`, `${Bob.Arn}` in an `Fn::Sub`) is, in the key
/// policies and identity policies returned, that identity's ARN when its name is known. A
/// managed policy the template does not define (an AWS managed policy) is a policy whose
/// statements are unknown.
///
/// A text that does not parse, or that is not a template, holds nothing.
pub fn cloudformation(path: &str, text: &str, syntax: Syntax) -> Inventory {
    let parsed = match syntax {
        Syntax::Json => json::parse(text),
        Syntax::Yaml => yaml::parse(text),
    };
    let Ok(root) = parsed else {
        return Inventory::default();
    };
    cloudformation_root(path, text, &root, syntax)
}

/// [`cloudformation`] for a template already parsed: `root` is the tree of `text`.
pub fn cloudformation_root(path: &str, text: &str, root: &Node, syntax: Syntax) -> Inventory {
    if !cfn::is_template(root) {
        return Inventory::default();
    }
    let Some(resources_node) = root.get("Resources") else {
        return Inventory::default();
    };
    let file_text: Arc<str> = Arc::from(text);
    let template = Template::new(root, text, syntax);
    let reader = Reader {
        path,
        file_text: &file_text,
        template: &template,
        syntax,
    };
    let resources: Vec<(&str, &str, &Node)> = resources_node
        .value
        .members()
        .iter()
        .filter_map(|m| {
            let kind = m.value.get("Type")?.value.as_str()?;
            let props = m.value.get("Properties").map(|p| &p.value);
            Some((m.key.as_str(), kind, props.unwrap_or(&m.value)))
        })
        .collect();
    // Where each resource is declared: its logical id.
    let declared: HashMap<&str, Span> = resources_node
        .value
        .members()
        .iter()
        .map(|m| (m.key.as_str(), m.key_span))
        .collect();
    let (identities, bindings) = reader.identities(&resources, &declared);
    let (keys, policies) = reader.keys(root, &resources);
    let mut inventory = Inventory {
        keys,
        identities,
        grants: Vec::new(),
        policies,
    };
    bindings.bind_inventory(&mut inventory);
    inventory
}

struct Reader<'a> {
    path: &'a str,
    file_text: &'a Arc<str>,
    template: &'a Template<'a>,
    syntax: Syntax,
}

/// The property `name` of a resource's `Properties`.
fn prop<'n>(props: &'n Node, name: &str) -> Option<&'n Node> {
    props.get(name).map(|m| &m.value)
}

impl Reader<'_> {
    fn dialect(&self) -> Dialect {
        match self.syntax {
            Syntax::Json => Dialect::CfnJson,
            Syntax::Yaml => Dialect::CfnYaml,
        }
    }

    /// The keys, and every key policy document as read.
    fn keys(&self, root: &Node, resources: &[(&str, &str, &Node)]) -> (Vec<Key>, Vec<Document>) {
        let mut policies: HashMap<String, Vec<PolicyDoc>> = HashMap::new();
        let mut documents = Vec::new();
        if let Extracted::Found(found) = cfn::extract(root, self.file_text, self.syntax) {
            for doc in found.policies {
                documents.push(Document::new(copy_doc(&doc), Arc::clone(self.file_text)));
                if let Some(name) = doc.name.clone() {
                    policies.entry(name).or_default().push(doc);
                }
            }
        }
        let aliases = self.aliases(resources);
        let mut keys = Vec::new();
        for &(id, kind, props) in resources {
            if !KEY_TYPES.contains(&kind) {
                continue;
            }
            let name = format!("Resources.{id}");
            let mut refs = vec![
                format!("{id}.Arn"),
                format!("${{{id}.Arn}}"),
                format!("arn:aws:kms:${{AWS::Region}}:${{AWS::AccountId}}:key/${{{id}}}"),
                format!(
                    "arn:${{AWS::Partition}}:kms:${{AWS::Region}}:${{AWS::AccountId}}:key/${{{id}}}"
                ),
            ];
            for (target, alias) in &aliases {
                if target == id {
                    refs.push(format!(
                        "arn:aws:kms:${{AWS::Region}}:${{AWS::AccountId}}:{alias}"
                    ));
                    refs.push(format!(
                        "arn:${{AWS::Partition}}:kms:${{AWS::Region}}:${{AWS::AccountId}}:{alias}"
                    ));
                }
            }
            let docs: Vec<Document> = if prop(props, "KeyPolicy").is_none() {
                vec![default_key_policy(&name, "${AWS::AccountId}")]
            } else {
                // A policy kmslint cannot read (a parameter) gives no key: `check` names it
                // among the keys not analysed.
                policies
                    .remove(&name)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|doc| Document::new(doc, Arc::clone(self.file_text)))
                    .collect()
            };
            // A policy in an `Fn::If` is one of two: each is a key the stack may create.
            for policy in docs {
                keys.push(Key {
                    name: name.clone(),
                    path: self.path.to_string(),
                    arn: None,
                    refs: refs.clone(),
                    policy,
                    account: None,
                });
            }
        }
        (keys, documents)
    }

    /// The `AWS::KMS::Alias` resources: the logical id of the key each targets and its name
    /// (`alias/payments`), when both are known.
    fn aliases(&self, resources: &[(&str, &str, &Node)]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for &(_, kind, props) in resources {
            if kind != "AWS::KMS::Alias" {
                continue;
            }
            let name = prop(props, "AliasName")
                .and_then(|n| self.template.property(n, false))
                .and_then(|n| n.as_str().map(str::to_string));
            let target = prop(props, "TargetKeyId")
                .and_then(|n| self.template.property(n, false))
                .and_then(|n| self.key_named(&n));
            if let (Some(name), Some(target)) = (name, target)
                && name.starts_with("alias/")
            {
                out.push((target, name));
            }
        }
        out
    }

    /// The logical id of the key a resolved `Ref` or `Fn::GetAtt …Arn` names.
    fn key_named(&self, node: &Node) -> Option<String> {
        let Value::Unknown(u) = &node.value else {
            return None;
        };
        if u.partial.is_some() {
            return None;
        }
        let id = u.description.strip_suffix(".Arn").unwrap_or(&u.description);
        self.template
            .kind(id)
            .is_some_and(|k| KEY_TYPES.contains(&k))
            .then(|| id.to_string())
    }

    /// The identities, and the ARNs of those the template declares for the references to
    /// them.
    fn identities(
        &self,
        resources: &[(&str, &str, &Node)],
        declared: &HashMap<&str, Span>,
    ) -> (Vec<Identity>, Bindings) {
        let mut ids = Identities::default();
        // Identities first, so a policy or group naming one finds it whatever the order.
        for &(id, kind, props) in resources {
            let Some(ikind) = identity_kind(kind) else {
                continue;
            };
            let name_prop = match ikind {
                IdentityKind::User => "UserName",
                IdentityKind::Role => "RoleName",
                IdentityKind::Group => "GroupName",
            };
            let name = prop(props, name_prop)
                .and_then(|n| self.template.property(n, false))
                .map_or_else(|| id.to_string(), |n| text_of(&n));
            let path = prop(props, "Path")
                .and_then(|n| self.template.property(n, false))
                .map_or_else(|| "/".to_string(), |n| text_of(&n));
            let declaration = Declared {
                id: id.to_string(),
                name: prop(props, name_prop)
                    .and_then(Node::as_str)
                    .map(str::to_string),
                span: declared.get(id).copied().unwrap_or_default(),
            };
            ids.declare(ikind, id, &name, &path, declaration);
        }
        // Policies identities may attach by `ManagedPolicyArns`.
        let mut managed: HashMap<&str, Vec<Arc<Attached>>> = HashMap::new();
        for &(id, kind, props) in resources {
            if kind != "AWS::IAM::ManagedPolicy" {
                continue;
            }
            let name = prop(props, "ManagedPolicyName")
                .and_then(|n| self.template.property(n, false))
                .and_then(|n| n.as_str().map(str::to_string))
                .unwrap_or_else(|| id.to_string());
            let docs = self.documents(&format!("Resources.{id}"), prop(props, "PolicyDocument"));
            managed.insert(id, self.attached(&name, docs));
        }
        for &(id, kind, props) in resources {
            if let Some(ikind) = identity_kind(kind) {
                let me = || Reference::Declared(id.to_string());
                for policy in self.inline_policies(id, props) {
                    ids.attach(ikind, me(), &policy);
                }
                for policy in self.managed_arns(id, props, &managed) {
                    ids.attach(ikind, me(), &policy);
                }
                if ikind == IdentityKind::User {
                    for group in self.names(prop(props, "Groups"), IdentityKind::Group) {
                        ids.join(me(), group);
                    }
                }
            }
            match kind {
                "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                    let attached = match managed.get(id) {
                        Some(a) => a.clone(),
                        None => {
                            let name = prop(props, "PolicyName")
                                .and_then(|n| self.template.property(n, false))
                                .and_then(|n| n.as_str().map(str::to_string))
                                .unwrap_or_else(|| id.to_string());
                            let docs = self.documents(
                                &format!("Resources.{id}"),
                                prop(props, "PolicyDocument"),
                            );
                            self.attached(&name, docs)
                        }
                    };
                    for (list, ikind) in [
                        ("Users", IdentityKind::User),
                        ("Roles", IdentityKind::Role),
                        ("Groups", IdentityKind::Group),
                    ] {
                        for who in self.names(prop(props, list), ikind) {
                            for policy in &attached {
                                ids.attach(ikind, who.clone(), policy);
                            }
                        }
                    }
                }
                "AWS::IAM::UserToGroupAddition" => {
                    let group = prop(props, "GroupName")
                        .and_then(|n| self.template.property(n, false))
                        .map(|n| self.reference(&n, IdentityKind::Group));
                    if let Some(group) = group {
                        for user in self.names(prop(props, "Users"), IdentityKind::User) {
                            ids.join(user, group.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        let bindings = ids.bindings(Source::CloudFormation);
        (ids.into_identities(), bindings)
    }

    /// The documents a `PolicyDocument` property gives: each policy it may be, or one whose
    /// statements are unknown when it cannot be read.
    fn documents(&self, name: &str, value: Option<&Node>) -> Vec<Document> {
        let Some(value) = value else {
            return Vec::new();
        };
        let found = self.template.policies(name, value);
        let mut docs: Vec<Document> = found
            .policies
            .into_iter()
            .map(|d| Document::new(d, Arc::clone(self.file_text)))
            .collect();
        let unreadable = found
            .errors
            .iter()
            .map(|e| e.message.clone())
            .chain(found.not_analysed.iter().map(|n| n.reason.clone()));
        for why in unreadable {
            docs.push(Document::new(
                unknown_document(name, value.span, &why, self.dialect()),
                Arc::clone(self.file_text),
            ));
        }
        docs
    }

    fn attached(&self, name: &str, docs: Vec<Document>) -> Vec<Arc<Attached>> {
        docs.into_iter()
            .map(|d| {
                Arc::new(Attached {
                    name: name.to_string(),
                    path: self.path.to_string(),
                    doc: d.doc,
                    file_text: d.file_text,
                })
            })
            .collect()
    }

    /// An identity's `Policies`: each `{PolicyName, PolicyDocument}`.
    fn inline_policies(&self, id: &str, props: &Node) -> Vec<Arc<Attached>> {
        let Some(list) = prop(props, "Policies") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, entry) in list.one_or_many().iter().enumerate() {
            let doc_name = format!("Resources.{id}.Policies[{i}]");
            match prop(entry, "PolicyDocument") {
                Some(doc) => {
                    let name = prop(entry, "PolicyName")
                        .and_then(|n| self.template.property(n, false))
                        .and_then(|n| n.as_str().map(str::to_string))
                        .unwrap_or_else(|| doc_name.clone());
                    out.extend(self.attached(&name, self.documents(&doc_name, Some(doc))));
                }
                // `AWS::NoValue`: no policy.
                None if self.template.property(entry, false).is_none() => {}
                // A policy computed some other way (an `Fn::If`): what it allows is unknown.
                None => {
                    let why = format!("the policy is `{}`", self.template.written(entry));
                    let doc = unknown_document(&doc_name, entry.span, &why, self.dialect());
                    out.push(Arc::new(Attached {
                        name: doc_name,
                        path: self.path.to_string(),
                        doc,
                        file_text: Arc::clone(self.file_text),
                    }));
                }
            }
        }
        out
    }

    /// An identity's `ManagedPolicyArns`: the template's managed policies, and policies it
    /// does not define (whose statements are unknown).
    fn managed_arns(
        &self,
        id: &str,
        props: &Node,
        managed: &HashMap<&str, Vec<Arc<Attached>>>,
    ) -> Vec<Arc<Attached>> {
        let Some(list) =
            prop(props, "ManagedPolicyArns").and_then(|n| self.template.property(n, true))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for arn in list.one_or_many() {
            if let Value::Unknown(u) = &arn.value
                && u.partial.is_none()
                && let Some(policies) = managed.get(u.description.as_str())
            {
                out.extend(policies.iter().cloned());
                continue;
            }
            let text = text_of(arn);
            let why = format!("the managed policy `{text}` is not in this template");
            let doc = unknown_document(
                &format!("Resources.{id}.ManagedPolicyArns"),
                arn.span,
                &why,
                self.dialect(),
            );
            out.push(Arc::new(Attached {
                name: text,
                path: self.path.to_string(),
                doc,
                file_text: Arc::clone(self.file_text),
            }));
        }
        out
    }

    /// The identities a list of names names (`Users`, `Roles`, `Groups`: names, or `Ref`s to
    /// identities of the template, which give their names).
    fn names(&self, list: Option<&Node>, kind: IdentityKind) -> Vec<Reference> {
        let Some(list) = list.and_then(|n| self.template.property(n, true)) else {
            return Vec::new();
        };
        list.one_or_many()
            .iter()
            .map(|n| self.reference(n, kind))
            .collect()
    }

    /// How a resolved value names an identity of `kind`.
    fn reference(&self, node: &Node, kind: IdentityKind) -> Reference {
        if let Value::Unknown(u) = &node.value
            && u.partial.is_none()
            && self.template.kind(&u.description).and_then(identity_kind) == Some(kind)
        {
            return Reference::Declared(u.description.clone());
        }
        Reference::Name(text_of(node))
    }
}

/// The kind of identity a resource type declares.
fn identity_kind(kind: &str) -> Option<IdentityKind> {
    match kind {
        "AWS::IAM::User" => Some(IdentityKind::User),
        "AWS::IAM::Role" => Some(IdentityKind::Role),
        "AWS::IAM::Group" => Some(IdentityKind::Group),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::CURRENT_ACCOUNT;

    fn yaml(text: &str) -> Inventory {
        cloudformation("template.yaml", text, Syntax::Yaml)
    }

    fn user_arn(name: &str) -> String {
        format!("arn:aws:iam::{CURRENT_ACCOUNT}:user/{name}")
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

    /// The `Resource` of a policy's first statement, as the text an evaluator compares.
    fn resource(doc: &Document) -> String {
        let st = &doc.doc.root.get("Statement").unwrap().value.one_or_many()[0];
        text_of(&st.get("Resource").unwrap().value)
    }

    #[test]
    fn the_seed_template_gives_three_keys_four_users_and_a_group() {
        let text = include_str!("../../../tests/explain/seed-cfn/template.yaml");
        let inv = yaml(text);
        let keys: Vec<&str> = inv.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(keys, ["Resources.CmkA", "Resources.CmkB", "Resources.CmkC"]);
        let a = &inv.keys[0];
        assert!(a.is_named_by("CmkA.Arn"));
        assert!(a.is_named_by("arn:aws:kms:${AWS::Region}:${AWS::AccountId}:alias/cmk-a"));
        assert!(!inv.keys[1].is_named_by("CmkA.Arn"));
        assert_eq!(a.path, "template.yaml");
        assert_eq!((a.arn.as_deref(), a.account.as_deref()), (None, None));
        let statements = |k: &Key| {
            k.policy
                .doc
                .root
                .get("Statement")
                .unwrap()
                .value
                .one_or_many()
                .len()
        };
        assert_eq!(
            inv.keys.iter().map(statements).collect::<Vec<_>>(),
            [1, 1, 2]
        );
        // `!GetAtt Bob.Arn` is Bob's ARN; the `Fn::Sub` ARN names Charlie as the model reads it.
        assert_eq!(
            super::super::statement_principals(&inv.keys[1], 0),
            [
                user_arn("Bob"),
                "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/Charlie".to_string()
            ]
        );
        assert_eq!(
            super::super::statement_principals(&inv.keys[2], 0),
            [user_arn("Alice")]
        );

        assert_eq!(inv.identities.len(), 5);
        let alice = identity(&inv, IdentityKind::User, &user_arn("Alice"));
        assert_eq!(policy_names(alice), ["alice-cmk-a"]);
        assert_eq!(resource(&alice.policies[0].doc), "${CmkA.Arn}");
        assert!(alice.groups.is_empty());
        let bob = identity(&inv, IdentityKind::User, &user_arn("Bob"));
        assert_eq!(policy_names(bob), ["bob-reports"]);
        assert!(bob.groups.is_empty());
        let charlie = identity(&inv, IdentityKind::User, &user_arn("Charlie"));
        assert_eq!(
            policy_names(charlie),
            ["cmk-b-use", "charlie-encrypt-cmk-a"]
        );
        assert_eq!(resource(&charlie.policies[0].doc), "${CmkB.Arn}");
        assert_eq!(resource(&charlie.policies[1].doc), "${CmkA.Arn}");
        let group_arn = format!("arn:aws:iam::{CURRENT_ACCOUNT}:group/cmk-b-users");
        let group = identity(&inv, IdentityKind::Group, &group_arn);
        assert_eq!(policy_names(group), ["cmk-b-use"]);
        let david = identity(&inv, IdentityKind::User, &user_arn("David"));
        assert!(david.policies.is_empty());
        assert_eq!(david.groups, [group_arn]);
        assert!(inv.grants.is_empty());
        for i in &inv.identities {
            for p in &i.policies {
                assert_eq!(p.path, "template.yaml");
            }
        }
    }

    #[test]
    fn json_templates_name_keys_and_resources_alike() {
        let text = r#"{
  "Resources": {
    "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}}, "Action": "kms:*", "Resource": "*"}]}}},
    "Reader": {"Type": "AWS::IAM::Role", "Properties": {
      "Path": "/apps/",
      "AssumeRolePolicyDocument": {},
      "Policies": [{"PolicyName": "read", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": [{"Fn::GetAtt": ["Key", "Arn"]}, {"Fn::Join": ["", [{"Fn::GetAtt": ["Key", "Arn"]}]]}]}]}}]
    }}
  }
}"#;
        let inv = cloudformation("t.json", text, Syntax::Json);
        assert_eq!(inv.keys.len(), 1);
        // Unnamed: its logical id.
        let reader = identity(
            &inv,
            IdentityKind::Role,
            &format!("arn:aws:iam::{CURRENT_ACCOUNT}:role/apps/Reader"),
        );
        let st = &reader.policies[0]
            .doc
            .doc
            .root
            .get("Statement")
            .unwrap()
            .value;
        let resources: Vec<String> = st.one_or_many()[0]
            .get("Resource")
            .unwrap()
            .value
            .one_or_many()
            .iter()
            .map(|n| match &n.value {
                Value::Unknown(u) => u.partial.clone().unwrap_or(u.description.clone()),
                _ => String::new(),
            })
            .collect();
        assert_eq!(resources, ["Key.Arn", "${Key.Arn}"]);
        assert!(resources.iter().all(|r| inv.keys[0].is_named_by(r)));
    }

    #[test]
    fn a_key_without_a_key_policy_has_the_default_one_and_an_unreadable_one_is_left_out() {
        let inv = yaml(
            "Parameters:\n  P: {Type: String}\nResources:\n  Plain:\n    Type: AWS::KMS::Key\n  FromParameter:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: !Ref P\n",
        );
        let names: Vec<&str> = inv.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["Resources.Plain"]);
        let doc = &inv.keys[0].policy.doc;
        assert_eq!(
            doc.name.as_deref(),
            Some("Resources.Plain (default key policy)")
        );
        assert!(
            inv.keys[0]
                .policy
                .text()
                .contains("Enable IAM User Permissions")
        );
    }

    #[test]
    fn a_key_policy_in_an_fn_if_gives_a_key_for_each_branch() {
        let inv = yaml(
            "Conditions:\n  C: !Equals [a, b]\nResources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: !If\n        - C\n        - {Statement: [{Effect: Allow, Principal: {AWS: '*'}, Action: 'kms:*', Resource: '*'}]}\n        - {Statement: []}\n",
        );
        assert_eq!(inv.keys.len(), 2);
        assert!(inv.keys.iter().all(|k| k.name == "Resources.K"));
    }

    #[test]
    fn names_from_parameters_stay_unknown_and_foreign_managed_policies_are_unknown_documents() {
        let inv = yaml(
            "Parameters:\n  RoleName: {Type: String}\nResources:\n  App:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref RoleName\n      ManagedPolicyArns:\n        - arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser\n",
        );
        let app = identity(
            &inv,
            IdentityKind::Role,
            &format!("arn:aws:iam::{CURRENT_ACCOUNT}:role/${{RoleName}}"),
        );
        assert_eq!(
            policy_names(app),
            ["arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"]
        );
        let statement = &app.policies[0].doc.doc.root.get("Statement").unwrap().value;
        assert!(statement.is_unknown());
        let policy = app.policies[0]
            .doc
            .policy(&crate::model::PolicyContext::default());
        assert!(policy.open);
    }

    #[test]
    fn policies_attach_to_roles_users_and_groups_by_name_or_ref() {
        let inv = yaml(
            r#"Resources:
  Ops:
    Type: AWS::IAM::Group
    Properties:
      GroupName: ops
  Worker:
    Type: AWS::IAM::Role
    Properties:
      RoleName: worker
  Erin:
    Type: AWS::IAM::User
    Properties:
      UserName: erin
      Groups: [ops, external-group]
  Use:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: use
      Roles: [!Ref Worker, other-role]
      Groups: [!Ref Ops]
      PolicyDocument: '{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}'
  Admin:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Users: [!Ref Erin]
      PolicyDocument: !Sub '{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "arn:aws:kms:*:${AWS::AccountId}:key/*"}]}'
"#,
        );
        let acct = CURRENT_ACCOUNT;
        let worker = identity(
            &inv,
            IdentityKind::Role,
            &format!("arn:aws:iam::{acct}:role/worker"),
        );
        assert_eq!(policy_names(worker), ["use"]);
        let other = identity(
            &inv,
            IdentityKind::Role,
            &format!("arn:aws:iam::{acct}:role/other-role"),
        );
        assert_eq!(policy_names(other), ["use"]);
        let ops = identity(
            &inv,
            IdentityKind::Group,
            &format!("arn:aws:iam::{acct}:group/ops"),
        );
        assert_eq!(policy_names(ops), ["use"]);
        // Written as a JSON string: decoded, with its own text.
        assert!(ops.policies[0].doc.text().starts_with("{\"Statement\""));
        let erin = identity(&inv, IdentityKind::User, &user_arn("erin"));
        assert_eq!(policy_names(erin), ["Admin"]);
        assert_eq!(
            erin.groups,
            [
                format!("arn:aws:iam::{acct}:group/ops"),
                format!("arn:aws:iam::{acct}:group/external-group"),
            ]
        );
        assert_eq!(erin.policies[0].doc.doc.dialect, Dialect::CfnSub);
    }

    #[test]
    fn user_to_group_addition_makes_members() {
        let inv = yaml(
            "Resources:\n  G:\n    Type: AWS::IAM::Group\n  U:\n    Type: AWS::IAM::User\n  Add:\n    Type: AWS::IAM::UserToGroupAddition\n    Properties:\n      GroupName: !Ref G\n      Users: [!Ref U, someone]\n",
        );
        let g = format!("arn:aws:iam::{CURRENT_ACCOUNT}:group/G");
        assert_eq!(
            identity(&inv, IdentityKind::User, &user_arn("U")).groups,
            std::slice::from_ref(&g)
        );
        assert_eq!(
            identity(&inv, IdentityKind::User, &user_arn("someone")).groups,
            [g]
        );
    }

    #[test]
    fn an_inline_policy_in_an_fn_if_is_unknown_and_no_value_is_nothing() {
        let inv = yaml(
            "Conditions:\n  C: !Equals [a, b]\nResources:\n  U:\n    Type: AWS::IAM::User\n    Properties:\n      Policies:\n        - !If [C, {PolicyName: p, PolicyDocument: {Statement: []}}, !Ref AWS::NoValue]\n        - !Ref AWS::NoValue\n",
        );
        let u = identity(&inv, IdentityKind::User, &user_arn("U"));
        assert_eq!(policy_names(u), ["Resources.U.Policies[0]"]);
        assert!(
            u.policies[0]
                .doc
                .doc
                .root
                .get("Statement")
                .unwrap()
                .value
                .is_unknown()
        );
    }

    #[test]
    fn text_that_is_not_a_template_holds_nothing() {
        for text in ["{", "Statement: []", "Resources: 3"] {
            let inv = yaml(text);
            assert!(inv.keys.is_empty() && inv.identities.is_empty());
        }
    }
}
