module github.com/eksboot/eksboot/packaging/image

go 1.26
