"""The account backend: the help desk's view of nuget.org accounts, over HTTP."""
