data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "EnableIAMUserPermissions"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "LogsDelivery"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:GenerateDataKey*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:*:${local.account_id}:log-group:*"]
    }
  }

  statement {
    sid     = "Auditors"
    actions = ["kms:Describe*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:group/auditors"]
    }
  }

  dynamic "statement" {
    for_each = var.extra_readers
    content {
      sid       = "Reader${statement.key}"
      actions   = ["kms:Decrypt", "kms:Encypt"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
    }
  }
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Root"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "Admins"
    actions   = ["kms:Create*", "kms:Describe*", "kms:Put*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.key_admin.arn]
    }
  }
}

data "aws_iam_policy_document" "either" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]

  # Replaces the base document's `Admins` statement: the wildcard is gone.
  statement {
    sid       = "Admins"
    actions   = ["kms:Describe*", "kms:Enable*", "kms:Disable*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.key_admin.arn]
    }
  }

  statement {
    sid       = "Anyone"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_iam_role" "key_admin" {
  name = "key-admin"
}
