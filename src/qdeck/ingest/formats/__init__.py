"""The source parsers, one per `config.Format`; each turns a file's lines into `models.Parsed`."""
