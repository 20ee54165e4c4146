create -N missing.cfg
