"""Pure rules of the registry office: no Qt, no SQL, nothing of ours imported from outside domain."""
