create minimal.cfg
