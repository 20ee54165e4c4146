mem-set web1 12q
