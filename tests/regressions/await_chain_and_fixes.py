async def f():
    await await await x
class C:
    def m(self, k={}):
        try:
            return k[y] == None
        except:
            return C
