print("salurd")
