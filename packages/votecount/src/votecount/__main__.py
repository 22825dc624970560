from votecount.cli import main

raise SystemExit(main())
