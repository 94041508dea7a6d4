// Original file: libs/proto/src/distilled/v1/distilled.proto


export interface StatusRequest__Input {
}

export interface StatusRequest {
}
