create missing.cfg
