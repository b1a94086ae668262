# Three keys. cmk_a enables IAM policies; cmk_b does not, and allows Bob and Charlie in its
# key policy; cmk_c allows Alice and denies Bob, Charlie and David.

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "cmk_a" {
  description = "IAM policies decide who uses this key"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Enable IAM User Permissions"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_kms_alias" "cmk_a" {
  name          = "alias/cmk-a"
  target_key_id = aws_kms_key.cmk_a.key_id
}

resource "aws_kms_key" "cmk_b" {
  description = "only the key policy decides who uses this key"
  policy      = data.aws_iam_policy_document.cmk_b.json
}

data "aws_iam_policy_document" "cmk_b" {
  statement {
    sid = "AllowBobAndCharlie"
    principals {
      type        = "AWS"
      identifiers = [aws_iam_user.bob.arn, aws_iam_user.charlie.arn]
    }
    actions   = ["kms:*"]
    resources = ["*"]
  }
}

resource "aws_kms_key" "cmk_c" {
  description = "Alice may use this key; Bob, Charlie and David may not"
  policy      = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "AllowAlice",
          "Effect": "Allow",
          "Principal": {"AWS": "${aws_iam_user.alice.arn}"},
          "Action": "kms:*",
          "Resource": "*"
        },
        {
          "Sid": "DenyBobCharlieDavid",
          "Effect": "Deny",
          "Principal": {"AWS": [
            "${aws_iam_user.bob.arn}",
            "${aws_iam_user.charlie.arn}",
            "arn:aws:iam::${data.aws_caller_identity.current.account_id}:user/David"
          ]},
          "Action": "kms:*",
          "Resource": "*"
        }
      ]
    }
  EOT
}
