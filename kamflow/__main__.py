from kamflow.cli import main

main()
