if x:
	if y:
	        z = 1
        def f(a=[]):
	    pass
