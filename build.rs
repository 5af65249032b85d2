//! Compiles `proto/` into the gRPC service's Rust types (feature `serve`), with the protoc that
//! ships in the `protoc-bin-vendored` crate, so building needs no protoc installed.

fn main() {
    #[cfg(feature = "serve")]
    grpc::compile();
}

#[cfg(feature = "serve")]
mod grpc {
    use std::path::PathBuf;

    pub fn compile() {
        let protoc = protoc_bin_vendored::protoc_bin_path().expect("the vendored protoc");
        let include = protoc_bin_vendored::include_path().expect("the vendored protoc's includes");
        let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
        let mut config = tonic_prost_build::Config::new();
        config.protoc_executable(protoc);
        // Messages holding secrets get a redacting `Debug` by hand (src/serve/grpc.rs).
        config.skip_debug(["ucs.v2.WebhookSecrets", "ucs.v2.SecretString"]);
        tonic_prost_build::configure()
            .build_client(false)
            .file_descriptor_set_path(out.join("ucs_v2_descriptor.bin"))
            .compile_with_config(
                config,
                &[PathBuf::from("proto/ucs_v2_events.proto")],
                &[PathBuf::from("proto"), include],
            )
            .expect("compiling proto/ucs_v2_events.proto");
        println!("cargo:rerun-if-changed=proto");
    }
}
