"""A gRPC client of hooknorm that is not ours: Python grpcio, as grpcurl works.

It knows no proto file. It learns the service from the server's reflection, builds each request
message from JSON text with protobuf's JSON mapping (json_format, what grpcurl -d does), sends it
with the given metadata headers, and prints what it got as one JSON document on stdout.

Input (stdin, JSON):
  {"addr": "127.0.0.1:PORT",
   "calls": [{"metadata": [[k, v], ...], "request": "<JSON text>"}, ...],      # one by one
   "contract_form_calls": [...],  # the same, with the request built from the contract's proto
                                  # form: `Identifier merchant_event_id = 1`
   "concurrent": {"metadata": [...], "requests": ["<JSON text>", ...]},     # all at once
   "health": ["", "ucs.v2.EventService", ...],
   "reflection_v1": true}
Output: {"services_v1alpha": [...], "services_v1": [...], "calls": [...], "concurrent": [...],
         "health": {...}}; a call is {"ok": true, "response": {...}, "wire": {...}} or
         {"ok": false, "code": "UNAUTHENTICATED", "details": "...", "error_info": {...},
          "trailers": {...}}.
"""

import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, empty_pb2, json_format, message_factory
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from grpc_status import rpc_status

SERVICE = "ucs.v2.EventService"
METHOD = "Handle"


def to_dict(message):
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def list_services_v1(channel):
    """grpc.reflection.v1: the same messages as v1alpha on the wire, under another path."""
    call = channel.stream_stream(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    names = []
    for response in call(iter([request]), timeout=10):
        names.extend(s.name for s in response.list_services_response.service)
    return sorted(names)


def contract_form(request_descriptor):
    """The request message as a client compiled against the contract's `Identifier
    merchant_event_id = 1` has it: the reflected file with that one field changed."""
    file_proto = descriptor_pb2.FileDescriptorProto()
    request_descriptor.file.CopyToProto(file_proto)
    for message in file_proto.message_type:
        if message.name == request_descriptor.name:
            for field in message.field:
                if field.number == 1:
                    field.type = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
                    field.type_name = ".ucs.v2.Identifier"
    pool = descriptor_pool.DescriptorPool()
    empty = descriptor_pb2.FileDescriptorProto()
    empty_pb2.DESCRIPTOR.CopyToProto(empty)
    pool.Add(empty)
    pool.Add(file_proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(request_descriptor.full_name))


def failure(error):
    out = {"ok": False, "code": error.code().name, "details": error.details()}
    trailers = {}
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            continue
        trailers[key] = value.decode() if isinstance(value, bytes) else value
    out["trailers"] = trailers
    status = rpc_status.from_call(error)
    if status is not None:
        out["status_code"] = status.code
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                out["error_info"] = {
                    "reason": info.reason,
                    "domain": info.domain,
                    "metadata": dict(info.metadata),
                }
    return out


def success(response, enum_names):
    wire = {"event_type": response.event_type, "event_status": response.event_status}
    wire["event_type_name"] = enum_names["event_type"].values_by_number[response.event_type].name
    return {"ok": True, "response": to_dict(response), "wire": wire}


def main():
    plan = json.load(sys.stdin)
    channel = grpc.insecure_channel(plan["addr"])
    grpc.channel_ready_future(channel).result(timeout=10)
    out = {}

    # The service, from reflection (grpcio-reflection's client speaks v1alpha).
    database = ProtoReflectionDescriptorDatabase(channel)
    out["services_v1alpha"] = sorted(database.get_services())
    if plan.get("reflection_v1"):
        out["services_v1"] = list_services_v1(channel)
    pool = descriptor_pool.DescriptorPool(database)
    method = pool.FindServiceByName(SERVICE).FindMethodByName(METHOD)
    request_class = message_factory.GetMessageClass(method.input_type)
    response_class = message_factory.GetMessageClass(method.output_type)
    enum_names = {"event_type": method.output_type.fields_by_name["event_type"].enum_type}
    handle = channel.unary_unary(
        f"/{SERVICE}/{METHOD}",
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=response_class.FromString,
    )

    def build(text, cls=request_class):
        return json_format.Parse(text, cls())

    def run(calls, cls):
        results = []
        for call in calls:
            metadata = [tuple(m) for m in call["metadata"]]
            try:
                response = handle(build(call["request"], cls), metadata=metadata, timeout=10)
                results.append(success(response, enum_names))
            except grpc.RpcError as error:
                results.append(failure(error))
            except json_format.ParseError as error:
                results.append({"ok": False, "code": "CLIENT_PARSE_ERROR", "details": str(error)})
        return results

    out["calls"] = run(plan.get("calls", []), request_class)
    if plan.get("contract_form_calls"):
        out["contract_form_calls"] = run(
            plan["contract_form_calls"], contract_form(method.input_type)
        )

    concurrent = plan.get("concurrent")
    if concurrent:
        metadata = [tuple(m) for m in concurrent["metadata"]]
        # Every call is started before any is waited for: they share the one HTTP/2 channel.
        futures = [
            handle.future(build(text), metadata=metadata, timeout=30)
            for text in concurrent["requests"]
        ]
        done = []
        for future in futures:
            try:
                done.append(success(future.result(), enum_names))
            except grpc.RpcError as error:
                done.append(failure(error))
        out["concurrent"] = done

    health = {}
    stub = health_pb2_grpc.HealthStub(channel)
    for name in plan.get("health", []):
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=10)
            health[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        except grpc.RpcError as error:
            health[name] = error.code().name
    out["health"] = health

    channel.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
