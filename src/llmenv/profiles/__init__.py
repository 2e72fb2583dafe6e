"""What the user wants: profile files, their schema, lookup and `extends` resolution."""
