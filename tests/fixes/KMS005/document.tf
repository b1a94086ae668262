data "aws_caller_identity" "current" {}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

data "aws_iam_policy_document" "key" {
  version = "2012-10-17"

  statement {
    sid       = "EnableRootAccess"
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

  statement {
    sid       = "AppUse"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn]
    }
  }

  statement {
    sid       = "AppGrants"
    actions   = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn]
    }
  }
}

resource "aws_kms_key" "app" {
  description = "Encrypts the application's data"
  policy      = data.aws_iam_policy_document.key.json
}
