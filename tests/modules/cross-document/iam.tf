resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_group" "analysts" {
  name = "analysts"
}

resource "aws_iam_group_membership" "analysts" {
  name  = "analysts"
  group = aws_iam_group.analysts.name
  users = [aws_iam_user.alice.name]
}

resource "aws_iam_user_policy" "alice_payments" {
  name = "alice-payments"
  user = aws_iam_user.alice.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Payments"
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = aws_kms_alias.payments.arn
      },
      {
        Sid      = "Reports"
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = aws_kms_key.reports.arn
      },
    ]
  })
}

resource "aws_iam_group_policy" "analysts_payments" {
  name  = "analysts-payments"
  group = aws_iam_group.analysts.name
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Payments",
          "Effect": "Allow",
          "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
          "Resource": "${aws_kms_key.payments.arn}"
        }
      ]
    }
  EOT
}
