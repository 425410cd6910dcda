fn main() {
    let code = gpuctl::run(std::env::args_os());
    std::process::exit(code);
}
