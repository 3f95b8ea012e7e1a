%% cabound_request — one shim request (harness/stacks/README.md, "Request")
%% from its decoded JSON map into a case map, with the same checks and
%% messages as parse_request in harness/stacks/common/shim.c.
-module(cabound_request).
-export([parse/1, connect_target/1]).

%% Contract 2 is the stream transport (what --serve speaks); a one-shot
%% request file may still say 1: the exchange is the same.
-define(CONTRACTS, [1, 2]).

%% parse(JsonMap) -> {ok, Case} | {error, Message}.
%% Case keys: contract, case_id, role (server|client), tls ("1.2"|"1.3" binary), cert,
%% key, creds ([{Cert, Key}]), trust, source, calist, calist_pem, require,
%% select, keylog, received_out, timeout_ms (file names stay binaries).
parse(Req) when is_map(Req) ->
    try
        {ok, parse_checked(Req)}
    catch
        throw:{bad, Msg} -> {error, lists:flatten(Msg)}
    end;
parse(_) ->
    {error, "request is not a JSON object"}.

parse_checked(Req) ->
    Contract = maps:get(<<"contract">>, Req, undefined),
    lists:member(Contract, ?CONTRACTS)
        orelse bad("request contract must be 2 (stream) or 1"),
    Role = case str(Req, <<"role">>) of
               <<"server">> -> server;
               <<"client">> -> client;
               _ -> bad("role must be \"server\" or \"client\"")
           end,
    Tls = case str(Req, <<"tls">>) of
              V when V =:= <<"1.2">>; V =:= <<"1.3">> -> V;
              _ -> bad("tls must be \"1.2\" or \"1.3\"")
          end,
    Require = case str(Req, <<"verify">>) of
                  undefined -> true;
                  <<"require">> -> true;
                  <<"request">> -> false;
                  _ -> bad("verify must be \"require\" or \"request\"")
              end,
    Source = case str(Req, <<"calist_source">>) of
                 undefined -> <<"explicit">>;
                 S when S =:= <<"explicit">>; S =:= <<"trust-store">>; S =:= <<"raw">>;
                        S =:= <<"none">> -> S;
                 S -> bad(io_lib:format("unknown calist_source \"~ts\"", [S]))
             end,
    Select = case str(Req, <<"select">>) of
                 undefined -> <<"native">>;
                 L when L =:= <<"native">>; L =:= <<"by-issuer">> -> L;
                 L -> bad(io_lib:format("unknown select \"~ts\"", [L]))
             end,
    Case = #{contract => Contract,
             case_id => case str(Req, <<"case">>) of undefined -> <<>>; C -> C end,
             role => Role, tls => Tls,
             cert => str(Req, <<"cert">>), key => str(Req, <<"key">>),
             creds => creds(maps:get(<<"client_creds">>, Req, undefined)),
             trust => str(Req, <<"trust">>),
             source => Source,
             calist => str(Req, <<"calist">>), calist_pem => str(Req, <<"calist_pem">>),
             require => Require, select => Select,
             keylog => str(Req, <<"keylog">>), received_out => str(Req, <<"received_out">>),
             timeout_ms => case maps:get(<<"timeout_ms">>, Req, undefined) of
                               T when is_integer(T) -> T;
                               _ -> 5000
                           end},
    check_server(Case).

check_server(#{role := client} = Case) ->
    Case;
check_server(#{cert := Cert, key := Key, source := Source, calist := Calist,
               calist_pem := Pem} = Case) ->
    (Cert =/= undefined andalso Key =/= undefined) orelse bad("server needs cert and key"),
    (Source =:= <<"none">> orelse Source =:= <<"trust-store">> orelse Calist =/= undefined)
        orelse bad(io_lib:format("calist_source ~ts needs calist", [Source])),
    (Source =/= <<"trust-store">> orelse Pem =/= undefined)
        orelse bad("calist_source trust-store needs calist_pem"),
    case Calist of
        undefined -> ok;
        _ ->
            case cabound_listfile:read(Calist) of
                {ok, _} -> ok;
                {error, Msg} -> bad(Msg)
            end
    end,
    Case.

creds(undefined) ->
    [];
creds(List) when is_list(List) ->
    lists:map(fun({I, E}) ->
                      case {str(E, <<"cert">>), str(E, <<"key">>)} of
                          {C, K} when C =/= undefined, K =/= undefined -> {C, K};
                          _ -> bad(io_lib:format("client_creds[~b] needs cert and key", [I]))
                      end
              end, lists:zip(lists:seq(0, length(List) - 1), List));
creds(_) ->
    bad("client_creds must be an array").

%% connect_target(JsonMap) -> {ok, Host, Port} | {error, Message}: the
%% stream transport's "connect": "HOST:PORT".
connect_target(Req) when is_map(Req) ->
    case str(Req, <<"connect">>) of
        undefined -> {error, "request carries no \"connect\" address"};
        Addr -> split_hostport(Addr)
    end;
connect_target(_) ->
    {error, "request is not a JSON object"}.

split_hostport(Addr) ->
    case string:split(binary_to_list(Addr), ":", trailing) of
        [Host, PortS] when Host =/= "" ->
            case string:to_integer(PortS) of
                {Port, []} when Port > 0, Port < 65536 -> {ok, Host, Port};
                _ -> {error, io_lib:format("expected HOST:PORT, got \"~ts\"", [Addr])}
            end;
        _ ->
            {error, io_lib:format("expected HOST:PORT, got \"~ts\"", [Addr])}
    end.

str(Map, Key) when is_map(Map) ->
    case maps:get(Key, Map, undefined) of
        V when is_binary(V) -> V;
        _ -> undefined
    end;
str(_, _) ->
    undefined.

bad(Msg) ->
    throw({bad, Msg}).
