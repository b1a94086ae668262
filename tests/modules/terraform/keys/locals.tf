locals {
  account_id      = data.aws_caller_identity.current.account_id
  payments_policy = data.aws_iam_policy_document.payments.json
}

data "aws_iam_policy_document" "payments" {
  override_policy_documents = [var.payments_override]

  statement {
    sid       = "Root"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalType"
      values   = ["Account"]
    }
  }

  statement {
    sid       = "PaymentsApp"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:role/payments-app"]
    }
  }
}
