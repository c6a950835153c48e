#!/bin/sh
# The Flinks flow, call by call, against a running flinks-mock: a token, a
# live /Authorize of the sandbox login Greatday, the security question it
# asks (whichever of its three comes), the 202 of GetAccountsDetail and the
# poll that gets the data. Tokens and the RequestId are captured as they
# come, so the script works on every run.
#
#   flinks-mock &                 # or: go run ./cmd/flinks-mock &
#   sh examples/walkthrough.sh
#
# It finds the server where serve listens: FLINKS_MOCK_ADDR, as for
# 'flinks-mock healthcheck', or 127.0.0.1:8080.
set -eu

addr=${FLINKS_MOCK_ADDR:-127.0.0.1:8080}
case $addr in
0.0.0.0:* | :*) addr=127.0.0.1:${addr##*:} ;;
esac
B=http://$addr/v3/43387ca6-0391-4c82-857d-70d95f087ecb/BankingServices
secret=c4569c54-e167-4d34-8de6-f4113bc82414 # any non-empty key is accepted by default
greatday=06471b6b-2212-4e49-bff0-250437191029

# field NAME prints the string value of "NAME" in the JSON on stdin.
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

# post ENDPOINT [curl args] posts to a Flinks endpoint, shows the call and
# its answer, and keeps the answer in $answer.
post() {
	endpoint=$1
	shift
	answer=$(curl -sS -X POST "$B/$endpoint" -H 'Content-Type: application/json' "$@")
	printf '\n$ POST %s\n%s\n' "$endpoint" "$answer"
}

# 1. A single-use authorize token, for every /Authorize call.
token() {
	curl -sS -X POST "$B/GenerateAuthorizeToken" -H "flinks-auth-key: $secret" | field Token
}

# 2. Authorize Greatday with a live refresh: a 203 with one security question.
post Authorize -H "flinks-auth-key: $(token)" \
	-d "{\"LoginId\":\"$greatday\",\"MostRecentCached\":false,\"Save\":true}"
request_id=$(echo "$answer" | field RequestId)
prompt=$(echo "$answer" | field Prompt)

# 3. Answer it with the same RequestId, the prompt exactly as sent, and a
#    fresh token. Greatday's questions rotate from session to session.
case $prompt in
"What city were you born in?") reply=Montreal ;;
"What is the best country on earth?") reply=Canada ;;
"What shape do people like most?") reply=Triangle ;;
*) echo "unexpected question: $prompt" >&2; exit 1 ;;
esac
post Authorize -H "flinks-auth-key: $(token)" \
	-d "{\"RequestId\":\"$request_id\",\"SecurityResponses\":{\"$prompt\":[\"$reply\"]}}"

# 4. Ask for the data: the first answer is a 202, still processing.
post GetAccountsDetail -d "{\"RequestId\":\"$request_id\",\"WithAccountIdentity\":true}"

# 5. Poll with the same RequestId (the guide says every 10 s) until the 200.
while :; do
	answer=$(curl -sS "$B/GetAccountsDetailAsync/$request_id")
	printf '\n$ GET GetAccountsDetailAsync/%s\n%s\n' "$request_id" "$answer"
	case $answer in
	*'"HttpStatusCode":202'*) sleep 10 ;;
	*) break ;;
	esac
done
case $answer in
*'"HttpStatusCode":200'*) echo; echo "Greatday's accounts, after the flow of the Flinks guide." ;;
*) echo "the poll did not end with a 200" >&2; exit 1 ;;
esac
