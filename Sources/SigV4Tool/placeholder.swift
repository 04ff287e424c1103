import SigV4CLI

