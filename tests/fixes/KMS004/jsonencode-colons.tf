data "aws_caller_identity" "current" {}

resource "aws_kms_key" "ebs" {
  description = "EBS volumes"

  policy = jsonencode({
    Version = "2012-10-17",
    Statement = [
      {
        "Sid" : "Root",
        "Effect" : "Allow",
        "Principal" : {
          "AWS" : "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"
        },
        "Action" : "kms:*",
        "Resource" : "*" # every key
      },
      {
        Sid    = "Readers",
        Effect = "Allow",
        Principal = {
          AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/Reader"
        },
        Action   = "kms:Decrypt",
        Resource = "*"
      }
    ]
  })
}
