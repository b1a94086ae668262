# Keys whose policies come from elsewhere in the module.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_kms_key" "logs" {
  description         = "log archive"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.logs.json
}

resource "aws_kms_key" "logs_replica" {
  description = "same document, written the Terraform 0.11 way"
  policy      = "${data.aws_iam_policy_document.logs.json}"
}

resource "aws_kms_key" "payments" {
  description = "policy document through a local"
  policy      = local.payments_policy
}

resource "aws_kms_key_policy" "exports" {
  key_id = aws_kms_key.logs.id
  policy = templatefile("${path.module}/templates/exports.json.tpl", {
    account_id = data.aws_caller_identity.current.account_id
    readers    = var.export_readers
  })
}

resource "aws_kms_external_key" "imported" {
  description = "key material from the HSM"
  policy      = file("${path.module}/templates/imported.json")
}

resource "aws_kms_key" "custom" {
  description = "whatever the caller passes"
  policy      = var.custom_policy
}

resource "aws_kms_key" "shared" {
  policy = module.policies.key_policy
}

resource "aws_kms_key" "default" {
  description = "no policy: AWS gives it the default one"
}

resource "aws_kms_key" "either" {
  policy = var.use_custom ? var.custom_policy : data.aws_iam_policy_document.either.json
}
