fn main() {
    println!("lanetop: under construction");
}
