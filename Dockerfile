# Kefu: one image for every role (KEFU_ROLE=all|api|worker). Mirrors .ci/run: npm ci (which runs
# `prisma generate` and the console build), then start with tsx.
FROM node:20-bookworm-slim

WORKDIR /app
COPY package.json package-lock.json prisma.config.ts tsconfig.json vite.config.ts ./
COPY app ./app
COPY bin ./bin
COPY connectors ./connectors
COPY console ./console
COPY core ./core
COPY infra ./infra
COPY prisma ./prisma
COPY workers ./workers
RUN npm ci --no-audit --no-fund && npm cache clean --force

# Uploaded images (and the embedded database, if DATABASE_URL is unset) live here.
ENV DATA_DIR=/data PORT=3000 HOST=0.0.0.0
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "app/main.ts"]
