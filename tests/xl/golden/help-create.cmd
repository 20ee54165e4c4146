help create
