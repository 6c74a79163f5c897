-- The second database of the cluster profile (the first, tracker, is POSTGRES_DB).
CREATE DATABASE accounts OWNER nuget;
