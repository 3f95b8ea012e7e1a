%% cabound_listfile — reads the CA-list file format defined once in
%% harness/lib/listfile.h ("cabound-list 1", then "dn HEX [label]" lines,
%% comments and blank lines), with the same checks and the same
%% "PATH:LINE: message" errors as cb_listfile_parse. The Erlang shim only
%% validates a request's `calist` with it: OTP has no API that takes a list
%% of names, and its client exposes no received list to write back.
-module(cabound_listfile).
-export([read/1]).

-define(HEADER, <<"cabound-list 1">>).

%% read(Path) -> {ok, [DerBinary]} | {error, Message}.
read(Path) ->
    case file:read_file(Path) of
        {ok, Text} -> parse(Path, Text);
        {error, Why} -> {error, io_lib:format("~ts: ~ts", [Path, file:format_error(Why)])}
    end.

parse(Path, Text) ->
    case binary:match(Text, <<0>>) of
        nomatch ->
            Lines = binary:split(Text, <<"\n">>, [global]),
            %% A final newline leaves one empty piece that is no line.
            Lines1 = case lists:last(Lines) of <<>> -> lists:droplast(Lines); _ -> Lines end,
            header(Path, Lines1);
        _ ->
            fail(Path, 0, "binary data (NUL byte) in a list file")
    end.

header(Path, []) ->
    fail(Path, 0, "empty file (expected header \"cabound-list 1\")");
header(Path, [First | Rest]) ->
    case strip_cr(First) of
        ?HEADER -> body(Path, Rest, 2, []);
        _ -> fail(Path, 1, "expected header \"cabound-list 1\"")
    end.

body(_Path, [], _N, Acc) ->
    {ok, lists:reverse(Acc)};
body(Path, [Line0 | Rest], N, Acc) ->
    Line = skip_blank(strip_cr(Line0)),
    case Line of
        <<>> -> body(Path, Rest, N + 1, Acc);
        <<"#", _/binary>> -> body(Path, Rest, N + 1, Acc);
        <<"dn">> -> body(Path, Rest, N + 1, [<<>> | Acc]);
        <<"dn", Sep, After/binary>> when Sep =:= $\s; Sep =:= $\t ->
            case dn_line(skip_blank(After)) of
                {ok, Der} -> body(Path, Rest, N + 1, [Der | Acc]);
                {error, Msg} -> fail(Path, N, Msg)
            end;
        _ ->
            fail(Path, N, "unknown line (expected \"dn HEX [label]\", a comment or a blank line)")
    end.

dn_line(Bin) ->
    {Hex, AfterHex} = token(Bin),
    case byte_size(Hex) of
        L when L rem 2 =/= 0 -> {error, io_lib:format("odd number of hex digits (~b)", [L])};
        L when L div 2 > 65535 -> {error, io_lib:format("DN of ~b bytes exceeds 65535", [L div 2])};
        _ ->
            case unhex(Hex, 0, []) of
                {ok, Der} -> label(skip_blank(AfterHex), Der);
                {error, _} = E -> E
            end
    end.

label(Bin, Der) ->
    {Label, After} = token(Bin),
    LabelOk = byte_size(Label) < 128 andalso lists:all(fun label_char/1, binary_to_list(Label)),
    case {LabelOk, skip_blank(After)} of
        {false, _} -> {error, "bad label (allowed: A-Z a-z 0-9 . _ : @ -, up to 127)"};
        {true, <<>>} -> {ok, Der};
        {true, _} -> {error, "unexpected text after the label"}
    end.

token(Bin) ->
    case re:run(Bin, "[ \t]", [{capture, first, index}]) of
        {match, [{I, _}]} -> {binary:part(Bin, 0, I), binary:part(Bin, I, byte_size(Bin) - I)};
        nomatch -> {Bin, <<>>}
    end.

unhex(<<>>, _I, Acc) ->
    {ok, list_to_binary(lists:reverse(Acc))};
unhex(<<H, L, Rest/binary>>, I, Acc) ->
    case {digit(H), digit(L)} of
        {Hi, Lo} when Hi >= 0, Lo >= 0 -> unhex(Rest, I + 1, [Hi * 16 + Lo | Acc]);
        _ -> {error, io_lib:format("not a hex digit in DN byte ~b", [I])}
    end.

digit(C) when C >= $0, C =< $9 -> C - $0;
digit(C) when C >= $a, C =< $f -> C - $a + 10;
digit(C) when C >= $A, C =< $F -> C - $A + 10;
digit(_) -> -1.

label_char(C) ->
    (C >= $A andalso C =< $Z) orelse (C >= $a andalso C =< $z) orelse (C >= $0 andalso C =< $9)
        orelse lists:member(C, ".:_@-").

strip_cr(Line) ->
    case Line of
        <<>> -> Line;
        _ ->
            case binary:last(Line) of
                $\r -> binary:part(Line, 0, byte_size(Line) - 1);
                _ -> Line
            end
    end.

skip_blank(<<C, Rest/binary>>) when C =:= $\s; C =:= $\t -> skip_blank(Rest);
skip_blank(Bin) -> Bin.

fail(Path, 0, Msg) -> {error, io_lib:format("~ts: ~ts", [Path, Msg])};
fail(Path, N, Msg) -> {error, io_lib:format("~ts:~b: ~ts", [Path, N, Msg])}.
