#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| shipgate::fuzz::check(shipgate::fuzz::github_event(data)));
