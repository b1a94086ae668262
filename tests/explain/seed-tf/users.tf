# Four users. Alice may use cmk_a; Charlie may encrypt with cmk_a and use cmk_b; David may
# use cmk_b through his group; Bob's identity policy is about S3 only.

resource "aws_iam_user" "alice" {
  name = "Alice"
}

resource "aws_iam_user" "bob" {
  name = "Bob"
}

resource "aws_iam_user_policy" "bob" {
  name = "bob-reports"
  user = aws_iam_user.bob.name
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ReadReports",
          "Effect": "Allow",
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::example-reports/*"
        }
      ]
    }
  EOT
}

resource "aws_iam_user" "charlie" {
  name = "Charlie"
}

resource "aws_iam_user" "david" {
  name = "David"
}

resource "aws_iam_user_policy" "alice" {
  name = "alice-cmk-a"
  user = aws_iam_user.alice.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "UseCmkA"
      Effect   = "Allow"
      Action   = "kms:*"
      Resource = aws_kms_key.cmk_a.arn
    }]
  })
}

resource "aws_iam_policy" "charlie_encrypt" {
  name = "charlie-encrypt-cmk-a"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "EncryptWithCmkA"
      Effect   = "Allow"
      Action   = "kms:Encrypt"
      Resource = aws_kms_key.cmk_a.arn
    }]
  })
}

resource "aws_iam_user_policy_attachment" "charlie_encrypt" {
  user       = aws_iam_user.charlie.name
  policy_arn = aws_iam_policy.charlie_encrypt.arn
}

resource "aws_iam_policy" "cmk_b_use" {
  name   = "cmk-b-use"
  policy = data.aws_iam_policy_document.cmk_b_use.json
}

data "aws_iam_policy_document" "cmk_b_use" {
  statement {
    sid       = "UseCmkB"
    actions   = ["kms:*"]
    resources = [aws_kms_key.cmk_b.arn]
  }
}

resource "aws_iam_user_policy_attachment" "charlie_cmk_b" {
  user       = aws_iam_user.charlie.name
  policy_arn = aws_iam_policy.cmk_b_use.arn
}

resource "aws_iam_group" "cmk_b_users" {
  name = "cmk-b-users"
}

resource "aws_iam_group_policy_attachment" "cmk_b_users" {
  group      = aws_iam_group.cmk_b_users.name
  policy_arn = aws_iam_policy.cmk_b_use.arn
}

resource "aws_iam_group_membership" "cmk_b_users" {
  name  = "cmk-b-users"
  group = aws_iam_group.cmk_b_users.name
  users = [aws_iam_user.david.name]
}
