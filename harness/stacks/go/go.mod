module cabound/shim-go

go 1.19
