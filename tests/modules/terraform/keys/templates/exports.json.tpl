{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Root",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${account_id}:root"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "Readers",
      "Effect": "Allow",
      "Principal": {"AWS": ${jsonencode(readers)}},
      "Action": ["kms:Decrypt", "kms:DescribeKey"],
      "Resource": "*"
    },
%{ for arn in readers ~}
    {
      "Effect": "Allow",
      "Principal": {"AWS": "${arn}"},
      "Action": "kms:ReEncrypt*",
      "Resource": "arn:aws:kms:${region}:${account_id}:key/*"
    },
%{ endfor ~}
    {
      "Sid": "Everyone",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "kms:Decrypt",
      "Resource": "*"
    }
  ]
}
