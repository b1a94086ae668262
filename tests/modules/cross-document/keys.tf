data "aws_caller_identity" "current" {}

# Only the account itself may use the root statement: IAM policies cannot give this key.
resource "aws_kms_key" "payments" {
  description = "payments"
  policy      = data.aws_iam_policy_document.payments.json
}

data "aws_iam_policy_document" "payments" {
  statement {
    sid       = "EnableRootAccessAndPreventPermissionDelegation"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalType"
      values   = ["Account"]
    }
  }
}

resource "aws_kms_alias" "payments" {
  name          = "alias/payments"
  target_key_id = aws_kms_key.payments.key_id
}

resource "aws_kms_key" "reports" {
  description = "reports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Enable IAM User Permissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AnalystsDecrypt"
        Effect    = "Allow"
        Principal = { AWS = aws_iam_group.analysts.arn }
        Action    = "kms:Decrypt"
        Resource  = "*"
      },
    ]
  })
}
